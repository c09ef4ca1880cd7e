import type { Config } from '../config/config.js';
import type { CallRecord } from '../upstream/call-unary.js';
import type { PassOutcome } from './sync-folder.js';

/** What the sync worker is started with. */
export interface SyncWorkerData {
  readonly config: Config;
  /** The folders to mirror (the configured ones, or the emulator's). */
  readonly folders: readonly string[];
  /** Upstream endpoint override (the in-process emulator), or null for config.upstream. */
  readonly emulator: { readonly address: string; readonly token: string | null } | null;
}

/** Main thread -> worker. */
export type ToWorker = { readonly kind: 'run'; readonly id: number } | { readonly kind: 'abort' } | { readonly kind: 'close' };

/** Worker -> main thread. */
export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'outcome'; readonly outcome: PassOutcome }
  | { readonly kind: 'call'; readonly record: CallRecord }
  | { readonly kind: 'done'; readonly id: number; readonly outcomes: PassOutcome[] }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'closed' };
