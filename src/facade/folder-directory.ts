import * as grpc from '@grpc/grpc-js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { FolderState } from '../store/folder-state.js';

/** Response metadata key: RFC 3339 time of the folder's last successful pass. */
export const syncedAtHeader = 'x-mirror-synced-at';

/** What the facade knows about one configured folder, as of the last refresh. */
export interface FolderEntry {
  readonly folderId: string;
  /** The stored state; undefined when no pass was ever attempted. */
  readonly state: FolderState | undefined;
  /** When the last successful pass observed the listing (ms since the epoch), or null if none. */
  readonly syncedAt: number | null;
  /** Changes whenever the folder's mirrored backups may have changed: caches keyed on it stay correct. */
  readonly version: string;
  /** `x-mirror-synced-at` ready to send; null until the first successful pass. */
  readonly metadata: grpc.Metadata | null;
}

/**
 * The configured folders' sync state, held in memory so that hot paths (Get, List) do not
 * query it per call. {@link refresh} re-reads it (one small query) and reports which
 * folders' data changed; callers refresh on each published commit and on a timer.
 */
export class FolderDirectory {
  private readonly entries = new Map<string, FolderEntry>();
  private gen = 0;

  constructor(
    private readonly store: MirrorStore,
    readonly folders: readonly string[],
  ) {
    for (const folderId of folders) this.entries.set(folderId, entryOf(folderId, undefined));
  }

  /** Increases whenever any folder's data changed (caches spanning folders key on it). */
  get generation(): number {
    return this.gen;
  }

  /** The configured folder's entry, or undefined if this instance does not mirror it. */
  get(folderId: string): FolderEntry | undefined {
    return this.entries.get(folderId);
  }

  /** True when every configured folder has had a successful pass (vacuously true for none). */
  allSynced(): boolean {
    for (const e of this.entries.values()) if (e.syncedAt === null) return false;
    return true;
  }

  /** Re-reads the folders' state; returns the folders whose data version changed. */
  refresh(): string[] {
    const stored = new Map(this.store.folderStates().map((s) => [s.folderId, s]));
    const changed: string[] = [];
    for (const [folderId, old] of this.entries) {
      const next = entryOf(folderId, stored.get(folderId));
      if (next.version !== old.version) changed.push(folderId);
      if (next.version !== old.version || next.state?.lastAttemptAt !== old.state?.lastAttemptAt) this.entries.set(folderId, next);
    }
    if (changed.length > 0) this.gen++;
    return changed;
  }
}

function entryOf(folderId: string, state: FolderState | undefined): FolderEntry {
  const syncedAt = state?.lastSuccessAt ?? null;
  let metadata: grpc.Metadata | null = null;
  if (syncedAt !== null) {
    metadata = new grpc.Metadata();
    metadata.set(syncedAtHeader, new Date(syncedAt).toISOString());
  }
  // A successful pass always records a fresh pass id; the other parts guard against reuse.
  const version = state === undefined ? '' : `${state.lastPassId ?? ''}|${state.lastSuccessAt ?? ''}|${state.backupCount}`;
  return { folderId, state, syncedAt, version, metadata };
}
