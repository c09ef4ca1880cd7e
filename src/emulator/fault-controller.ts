import { status } from '@grpc/grpc-js';
import type { RequestError } from './request-validation.js';

/**
 * Runtime fault injection for tests. Page faults name a page index within a listing
 * (0 = the request with an empty page token), optionally a folder, and optionally how
 * many times they fire (then they stop; default: every time while set).
 */

/** Where and how often a page fault fires. */
export interface PageFaultTarget {
  /** Page index within a listing (0 = first page). */
  readonly page: number;
  /** Only listings of this folder (default: every folder). */
  readonly folderId?: string;
  /** Fire this many times, then behave normally (default: unlimited). */
  readonly times?: number;
}

/** Kinds of malformed items: an empty id, or a folder_id of another folder. */
export type MalformedKind = 'empty-id' | 'foreign-folder';

export interface FaultSpec {
  /** Page k fails with `code` (message defaults to the cloud's wording for the code). */
  readonly failPage?: PageFaultTarget & { readonly code: status; readonly message?: string };
  /** Every List and Get response waits this many ms first (aborted if the call is cancelled). */
  readonly delayMs?: number;
  /** The last item of page k also appears first on page k+1. */
  readonly duplicate?: PageFaultTarget;
  /** After page k, `count` items that would open page k+1 are skipped by this listing. */
  readonly move?: PageFaultTarget & { readonly count: number };
  /** Page k returns as next_page_token the token that requested page `toPage` (1..k, default k). */
  readonly loopToken?: PageFaultTarget & { readonly toPage?: number };
  /** Page k carries an extra malformed copy of its first item, placed first. */
  readonly malformed?: PageFaultTarget & { readonly kind: MalformedKind };
  /** Get fails with `code` (optionally only for some ids, only `times` times). */
  readonly failGet?: {
    readonly code: status;
    readonly message?: string;
    readonly times?: number;
    readonly ids?: readonly string[];
  };
}

type PageFaultKey = 'failPage' | 'duplicate' | 'move' | 'loopToken' | 'malformed';
const faultKeys = ['failPage', 'delayMs', 'duplicate', 'move', 'loopToken', 'malformed', 'failGet'] as const;

const defaultMessages: Partial<Record<status, string>> = {
  [status.UNAVAILABLE]: 'Service is unavailable, try again in a few seconds',
  [status.RESOURCE_EXHAUSTED]: 'Request limit exceeded',
  [status.INTERNAL]: 'Internal error',
  [status.DEADLINE_EXCEEDED]: 'Deadline exceeded',
  [status.PERMISSION_DENIED]: 'Permission denied',
  [status.UNAUTHENTICATED]: 'Token is invalid or has expired',
};

/** Holds the active faults; handlers consult it per request. */
export class FaultController {
  private spec: FaultSpec = {};
  private readonly fired = new Map<string, number>();
  /** Tokens that requested each page index, per folder (only while loopToken is set). */
  private readonly seenTokens = new Map<string, Map<number, string>>();

  /** The active faults. */
  get current(): FaultSpec {
    return this.spec;
  }

  /**
   * Sets the given kinds of fault, keeping the others; a key present with value
   * undefined clears that kind. Firing counts restart for the kinds given.
   */
  set(spec: FaultSpec): void {
    const next: Record<string, unknown> = { ...this.spec };
    for (const key of faultKeys) {
      if (!(key in spec)) continue;
      next[key] = spec[key];
      this.fired.delete(key);
    }
    this.spec = next as FaultSpec;
    if (this.spec.loopToken === undefined) this.seenTokens.clear();
  }

  /** Removes every fault and resets the firing counts. */
  clear(): void {
    this.spec = {};
    this.fired.clear();
    this.seenTokens.clear();
  }

  /** The response delay in ms (0 when none). */
  delayMs(): number {
    return Math.max(0, this.spec.delayMs ?? 0);
  }

  /** Fires the page fault `key` if it targets this page; consumes one of its `times`. */
  takePageFault<K extends PageFaultKey>(key: K, folderId: string, page: number): NonNullable<FaultSpec[K]> | undefined {
    const fault = this.spec[key];
    if (fault === undefined || fault.page !== page) return undefined;
    if (fault.folderId !== undefined && fault.folderId !== folderId) return undefined;
    if (!this.consume(key, fault.times)) return undefined;
    return fault as NonNullable<FaultSpec[K]>;
  }

  /** The error a page fault turns into. */
  pageError(fault: NonNullable<FaultSpec['failPage']>): RequestError {
    return { code: fault.code, details: fault.message ?? defaultMessage(fault.code) };
  }

  /** The Get failure for this id, if one is set and still has firings left. */
  takeGetFailure(id: string): RequestError | undefined {
    const fault = this.spec.failGet;
    if (fault === undefined) return undefined;
    if (fault.ids !== undefined && !fault.ids.includes(id)) return undefined;
    if (!this.consume('failGet', fault.times)) return undefined;
    return { code: fault.code, details: fault.message ?? defaultMessage(fault.code) };
  }

  /** Remembers the token that requested a page, so a later token loop can point back to it. */
  noteToken(folderId: string, page: number, token: string): void {
    if (this.spec.loopToken === undefined || token === '') return;
    let pages = this.seenTokens.get(folderId);
    if (pages === undefined) {
      pages = new Map();
      this.seenTokens.set(folderId, pages);
    }
    pages.set(page, token);
  }

  /** The token seen for a page of a folder's listing. */
  seenToken(folderId: string, page: number): string | undefined {
    return this.seenTokens.get(folderId)?.get(page);
  }

  private consume(key: string, times: number | undefined): boolean {
    const n = this.fired.get(key) ?? 0;
    if (times !== undefined && n >= times) return false;
    this.fired.set(key, n + 1);
    return true;
  }
}

function defaultMessage(code: status): string {
  return defaultMessages[code] ?? `Injected fault: ${status[code] ?? String(code)}`;
}
