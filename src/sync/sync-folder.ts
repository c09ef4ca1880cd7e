import { randomUUID } from 'node:crypto';
import { checkPage } from '../mirror/check-page.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { BackupClient } from '../upstream/backup-client.js';
import { listPages } from '../upstream/list-pages.js';
import { confirmRemovals } from './confirm-removals.js';

/** What one pass over one folder did. Times in ms; counts of backups. */
export interface PassOutcome {
  readonly folderId: string;
  readonly passId: string;
  readonly ok: boolean;
  readonly added: number;
  readonly removed: number;
  readonly updated: number;
  /** Backups of the folder in the mirror after the pass (unchanged by a failed pass). */
  readonly backups: number;
  /** The same id seen on more than one page (kept once). */
  readonly duplicates: number;
  /** Backups missing from the listing that `Get` still found (kept, not removed). */
  readonly unconfirmedRemovals: number;
  readonly pages: number;
  readonly bootstrap: boolean;
  readonly durationMs: number;
  /** Why the pass failed, or null. */
  readonly error: string | null;
  readonly firstSequence: number | null;
  readonly lastSequence: number | null;
}

export interface SyncFolderOptions {
  readonly pageSize: number;
  /** Ask the cloud for each backup missing from the listing before recording it removed (default true). */
  readonly confirmRemovals: boolean;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * One pass over one folder: collect the complete listing (one page in memory at a time),
 * confirm removals, then diff and commit in one transaction. Any failure, including an
 * abort, commits nothing but the folder's error state.
 */
export async function syncFolder(
  store: MirrorStore,
  client: Pick<BackupClient, 'listPage' | 'get'>,
  folderId: string,
  options: SyncFolderOptions,
): Promise<PassOutcome> {
  const now = options.now ?? Date.now;
  const passId = randomUUID();
  const started = now();
  const stage = store.beginListing(folderId);
  let pages = 0;
  let unconfirmed = 0;
  try {
    for await (const page of listPages(client, folderId, options.pageSize, options.signal)) {
      checkPage(folderId, pages, page.backups);
      stage.add(page.backups);
      pages++;
    }
    if (options.confirmRemovals) {
      const kept = await confirmRemovals(stage, (id) => client.get(id, options.signal), options.signal);
      unconfirmed = kept;
    }
    options.signal.throwIfAborted();
    const applied = store.commitPass(stage, passId, now());
    return {
      folderId,
      passId,
      ok: true,
      added: applied.added,
      removed: applied.removed,
      updated: applied.updated,
      backups: applied.backups,
      duplicates: stage.duplicates,
      unconfirmedRemovals: unconfirmed,
      pages,
      bootstrap: applied.bootstrap,
      durationMs: now() - started,
      error: null,
      firstSequence: applied.firstSequence,
      lastSequence: applied.lastSequence,
    };
  } catch (err) {
    const message = options.signal.aborted ? `pass aborted: ${describe(options.signal.reason)}` : describe(err);
    store.recordFailure(folderId, now(), message, passId);
    return {
      folderId,
      passId,
      ok: false,
      added: 0,
      removed: 0,
      updated: 0,
      backups: store.folderState(folderId)?.backupCount ?? 0,
      duplicates: stage.duplicates,
      unconfirmedRemovals: unconfirmed,
      pages,
      bootstrap: false,
      durationMs: now() - started,
      error: message,
      firstSequence: null,
      lastSequence: null,
    };
  } finally {
    stage.dispose();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

