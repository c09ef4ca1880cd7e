import type { Backup } from '../mirror/backup.js';
import type { ListingStage } from '../store/listing-stage.js';

/** Removal candidates asked about at once; small, so a mass removal does not flood the cloud. */
const parallelGets = 8;
const batch = 256;

/**
 * Asks the cloud for each backup the listing lacks. Only NOT_FOUND (`get` resolving null)
 * confirms a removal; a backup the cloud still has (a listing that shifted under us) is
 * staged as present, with the fields `Get` returned. Any other error propagates and fails
 * the pass rather than guessing.
 * @returns how many candidates still existed (unconfirmed removals).
 */
export async function confirmRemovals(
  stage: ListingStage,
  get: (id: string) => Promise<Backup | null>,
  signal: AbortSignal,
): Promise<number> {
  let kept = 0;
  let after = '';
  for (;;) {
    const candidates = stage.missing(after, batch);
    const last = candidates.at(-1);
    if (last === undefined) return kept;
    after = last.id;
    const stillThere: Backup[] = [];
    for (let i = 0; i < candidates.length; i += parallelGets) {
      signal.throwIfAborted();
      const found = await Promise.all(candidates.slice(i, i + parallelGets).map((c) => get(c.id)));
      for (const b of found) {
        // A backup now in another folder was really removed from this one.
        if (b !== null && b.folderId === stage.folderId) stillThere.push(b);
      }
    }
    kept += stillThere.length;
    stage.add(stillThere);
  }
}
