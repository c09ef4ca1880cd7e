import type { MirrorStore } from '../store/mirror-store.js';
import type { BackupClient } from '../upstream/backup-client.js';
import { syncFolder, type PassOutcome } from './sync-folder.js';

export interface SyncFoldersOptions {
  readonly pageSize: number;
  readonly confirmRemovals: boolean;
  /** Folders synced at once (default 4). */
  readonly concurrency: number;
  /** Deadline of each folder's pass, ms. */
  readonly passTimeoutMs: number;
  readonly signal: AbortSignal;
  /** Told as each folder's pass ends (logs, metrics). */
  readonly onOutcome?: ((outcome: PassOutcome) => void) | undefined;
  readonly now?: () => number;
}

/**
 * One pass over each folder, at most `concurrency` at once. A folder's failure is its own:
 * it is recorded and the others go on. Resolves with every outcome, in `folders` order.
 */
export async function syncFolders(
  store: MirrorStore,
  client: Pick<BackupClient, 'listPage' | 'get'>,
  folders: readonly string[],
  options: SyncFoldersOptions,
): Promise<PassOutcome[]> {
  const outcomes: PassOutcome[] = new Array<PassOutcome>(folders.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < folders.length) {
      const index = next++;
      const folderId = folders[index];
      if (folderId === undefined) return;
      // Not AbortSignal.timeout(): inside AbortSignal.any() nothing holds it, so a garbage
      // collection drops it and the deadline never fires. The timer holds this controller.
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new DOMException(`the pass deadline of ${options.passTimeoutMs} ms (sync.pass_timeout) passed`, 'TimeoutError')),
        options.passTimeoutMs,
      );
      const signal = AbortSignal.any([options.signal, deadline.signal]);
      let outcome: PassOutcome;
      try {
        outcome = await syncFolder(store, client, folderId, {
          pageSize: options.pageSize,
          confirmRemovals: options.confirmRemovals,
          signal,
          now: options.now,
        });
      } finally {
        clearTimeout(timer);
      }
      outcomes[index] = outcome;
      options.onOutcome?.(outcome);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, folders.length)) }, worker);
  await Promise.all(workers);
  return outcomes;
}
