import type { MirrorStore } from '../store/mirror-store.js';

/** Whether the mirror is ready to be read; `notReady` lists the folders holding it back. */
export interface Readiness {
  readonly ready: boolean;
  readonly notReady: readonly string[];
}

/**
 * Ready once every configured folder has had a successful pass (its mirror is complete as
 * of then). A later failure does not undo it: the mirror still serves its last good state,
 * and `folder_up` is what reports the failure, so readiness does not flap with the cloud.
 */
export function mirrorReadiness(store: MirrorStore, folders: readonly string[]): Readiness {
  const succeeded = new Set(store.folderStates().filter((s) => s.lastSuccessAt !== null).map((s) => s.folderId));
  const notReady = folders.filter((f) => !succeeded.has(f));
  return { ready: notReady.length === 0, notReady };
}
