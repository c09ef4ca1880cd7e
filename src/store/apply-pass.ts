import type Database from 'better-sqlite3';
import { backupColumnNames, columnsDiffer } from './backup-row.js';
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
 * changes derived from exactly those events, and the folder's state. Either all of it
 * lands or nothing does.
 */
export function applyPass(db: Database.Database, input: ApplyPassInput): AppliedPass {
  const { stage, passId, observedAt } = input;
  const folderId = stage.folderId;
  const run = db.transaction((): AppliedPass => {
    const head = (db.prepare('SELECT coalesce(max(seq), 0) AS head FROM events').get() as { head: number }).head;
    const state = db.prepare('SELECT last_success_at FROM folders WHERE folder_id = ?').get(folderId) as
      | { last_success_at: number | null }
      | undefined;
    const bootstrap = state?.last_success_at == null ? 1 : 0;
    const params = { folder: folderId, at: observedAt, pass: passId, boot: bootstrap, head };

    if (stage.seenTable !== null) {
      db.prepare(`INSERT INTO events (type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${cols})
        SELECT 'removed', b.folder_id, b.id, @at, @pass, @boot, ${bCols}
        FROM backups b WHERE b.folder_id = @folder AND NOT EXISTS (SELECT 1 FROM ${stage.seenTable} s WHERE s.id = b.id)
        ORDER BY b.id`).run(params);
    }

    // The stage holds only what is new or changed; the join tells which of the two.
    db.prepare(`INSERT INTO events (type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${cols})
      SELECT CASE WHEN b.id IS NULL THEN 'added' ELSE 'updated' END, @folder, s.id, @at, @pass, @boot, ${sCols}
      FROM ${stage.table} s LEFT JOIN backups b ON b.folder_id = @folder AND b.id = s.id
      WHERE b.id IS NULL OR ${columnsDiffer('s', 'b')}
      ORDER BY s.id`).run(params);

    // The projection follows from the events just written, so replaying the log always
    // reproduces it (what `verify` checks).
    db.prepare(`DELETE FROM backups WHERE folder_id = @folder AND id IN
      (SELECT backup_id FROM events WHERE seq > @head AND type = 'removed')`).run({ folder: folderId, head });
    db.prepare(`INSERT OR REPLACE INTO backups (folder_id, id, ${cols}, seq)
      SELECT folder_id, backup_id, ${cols}, seq FROM events WHERE seq > @head AND type <> 'removed'`).run({ head });

    const counts = { added: 0, removed: 0, updated: 0 };
    const rows = db.prepare('SELECT type, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM events WHERE seq > ? GROUP BY type').all(head) as {
      type: keyof typeof counts;
      n: number;
      lo: number;
      hi: number;
    }[];
    let first: number | null = null;
    let last: number | null = null;
    for (const r of rows) {
      counts[r.type] = r.n;
      first = first === null ? r.lo : Math.min(first, r.lo);
      last = last === null ? r.hi : Math.max(last, r.hi);
    }

    db.prepare(`INSERT INTO folders (folder_id, last_attempt_at, last_success_at, last_error, backup_count, last_pass_id)
      VALUES (@folder, @at, @at, NULL, @count, @pass)
      ON CONFLICT (folder_id) DO UPDATE SET last_attempt_at = @at, last_success_at = @at, last_error = NULL,
        backup_count = @count, last_pass_id = @pass`).run({ folder: folderId, at: observedAt, count: stage.size, pass: passId });

    return { ...counts, backups: stage.size, bootstrap: bootstrap === 1, firstSequence: first, lastSequence: last };
  });
  return run.immediate();
}
