import type Database from 'better-sqlite3';
import { backupColumnNames, columnsDiffer } from './backup-row.js';
import { digestGeneration, saveDigest } from './digest-table.js';
import { statement } from './statement-cache.js';
import type { ListingStage } from './listing-stage.js';

/** What one committed pass changed. */
export interface AppliedPass {
  readonly added: number;
  readonly removed: number;
  readonly updated: number;
  /** Backups of the folder in the mirror after the pass. */
  readonly backups: number;
  /** True when this was the folder's first successful pass (its events carry `bootstrap`). */
  readonly bootstrap: boolean;
  /** Sequence numbers of the pass's events, or null if it recorded none. */
  readonly firstSequence: number | null;
  readonly lastSequence: number | null;
}

export interface ApplyPassInput {
  readonly stage: ListingStage;
  readonly passId: string;
  /** When the pass observed the listing, ms since the epoch. */
  readonly observedAt: number;
}

const cols = backupColumnNames;
const sCols = cols.split(', ').map((c) => `s.${c}`).join(', ');
const bCols = cols.split(', ').map((c) => `b.${c}`).join(', ');

/**
 * Diffs a complete staged listing against the folder's mirror and commits, in ONE
 * transaction, the events (removed, then added/updated, each in id order), the projection
 * changes derived from exactly those events, the folder's state and its digest. Either all
 * of it lands or nothing does. A stage is committed at most once.
 * @throws Error if another pass committed the folder since this listing began (nothing is written).
 */
export function applyPass(db: Database.Database, input: ApplyPassInput): AppliedPass {
  const { stage, passId, observedAt } = input;
  const folderId = stage.folderId;
  // Before the transaction: TEMP DDL inside it would be undone by its rollback.
  const removals = stage.removalsTable();
  const run = db.transaction((): AppliedPass => {
    const generation = digestGeneration(db, folderId);
    if (generation !== stage.baseGeneration) {
      throw new Error(`folder ${folderId}: another pass committed it while this listing was collected; list it again`);
    }
    const head = (statement(db, 'SELECT coalesce(max(seq), 0) AS head FROM events').get() as { head: number }).head;
    const state = statement(db, 'SELECT last_success_at FROM folders WHERE folder_id = ?').get(folderId) as
      | { last_success_at: number | null }
      | undefined;
    const bootstrap = state?.last_success_at == null ? 1 : 0;
    const params = { folder: folderId, at: observedAt, pass: passId, boot: bootstrap };

    const removed =
      removals === null
        ? 0
        : db.prepare(`INSERT INTO events (type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${cols})
            SELECT 'removed', b.folder_id, b.id, @at, @pass, @boot, ${bCols}
            FROM ${removals} r JOIN backups b ON b.folder_id = @folder AND b.id = r.id
            ORDER BY r.id`).run(params).changes;
    // Events are never deleted, so this pass's events are seq head+1.. in the order written:
    // its removals, then its added/updated.
    const afterRemovals = head + removed;

    // The stage holds only what is new or changed; the join tells which of the two. A folder
    // with nothing mirrored (a first pass) needs no join: everything is added.
    const empty = removals === null && statement(db, 'SELECT 1 FROM backups WHERE folder_id = ? LIMIT 1').get(folderId) === undefined;
    const written = empty
      ? db.prepare(`INSERT INTO events (type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${cols})
          SELECT 'added', @folder, s.id, @at, @pass, @boot, ${sCols} FROM ${stage.table} s ORDER BY s.id`).run(params).changes
      : db.prepare(`INSERT INTO events (type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${cols})
          SELECT CASE WHEN b.id IS NULL THEN 'added' ELSE 'updated' END, @folder, s.id, @at, @pass, @boot, ${sCols}
          FROM ${stage.table} s LEFT JOIN backups b ON b.folder_id = @folder AND b.id = s.id
          WHERE b.id IS NULL OR ${columnsDiffer('s', 'b')}
          ORDER BY s.id`).run(params).changes;
    const updated = empty
      ? 0
      : (statement(db, "SELECT count(*) AS n FROM events WHERE seq > ? AND type = 'updated'").get(afterRemovals) as { n: number }).n;

    // The projection follows from the events just written, so replaying the log always
    // reproduces it (what `verify` checks).
    if (removed > 0) {
      statement(db, `DELETE FROM backups WHERE folder_id = @folder AND id IN
        (SELECT backup_id FROM events WHERE seq > @head AND seq <= @last)`).run({ folder: folderId, head, last: afterRemovals });
    }
    statement(db, `INSERT ${empty ? '' : 'OR REPLACE '}INTO backups (folder_id, id, ${cols}, seq)
      SELECT folder_id, backup_id, ${cols}, seq FROM events WHERE seq > ?`).run(afterRemovals);

    const total = removed + written;
    const counts = { added: written - updated, removed, updated };
    const first = total > 0 ? head + 1 : null;
    const last = total > 0 ? head + total : null;

    statement(db, `INSERT INTO folders (folder_id, last_attempt_at, last_success_at, last_error, backup_count, last_pass_id)
      VALUES (@folder, @at, @at, NULL, @count, @pass)
      ON CONFLICT (folder_id) DO UPDATE SET last_attempt_at = @at, last_success_at = @at, last_error = NULL,
        backup_count = @count, last_pass_id = @pass`).run({ folder: folderId, at: observedAt, count: stage.size, pass: passId });

    saveDigest(db, folderId, stage.digest, stage.hash, stage.digestBaseStored, (generation ?? 0) + 1);

    return { ...counts, backups: stage.size, bootstrap: bootstrap === 1, firstSequence: first, lastSequence: last };
  });
  return run.immediate();
}
