import type { PassOutcome } from './sync-folder.js';

/**
 * A folder pass as one flat JSON object: the `sync` command's summary line and the
 * daemon's per-pass log fields. `duration` is in seconds; `error` is null on success.
 */
export function passSummary(o: PassOutcome): Record<string, unknown> {
  return {
    folder: o.folderId,
    ok: o.ok,
    added: o.added,
    removed: o.removed,
    updated: o.updated,
    backups: o.backups,
    duplicates: o.duplicates,
    unconfirmed_removals: o.unconfirmedRemovals,
    pages: o.pages,
    duration: o.durationMs / 1000,
    error: o.error,
  };
}
