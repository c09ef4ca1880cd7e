import type { Backup } from './backup.js';

/** What a pass observed about one backup. */
export type EventType = 'added' | 'removed' | 'updated';

export const eventTypes: readonly EventType[] = ['added', 'removed', 'updated'];

/**
 * One entry of the append-only log, the mirror's source of truth. `sequence` is gap-free
 * and increasing from 1. `backup` is the backup as observed; for `removed`, its last
 * known state.
 */
export interface MirrorEvent {
  readonly sequence: number;
  readonly type: EventType;
  readonly folderId: string;
  readonly backupId: string;
  /** When the pass observed it, milliseconds since the epoch. */
  readonly observedAt: number;
  /** The sync pass that produced it. */
  readonly passId: string;
  /** True on the events of a folder's very first successful pass ("already existed"). */
  readonly bootstrap: boolean;
  readonly backup: Backup;
}
