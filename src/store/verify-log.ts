import type Database from 'better-sqlite3';
import { backupColumnNames } from './backup-row.js';

/** The outcome of replaying the log against the projection. */
export interface VerifyReport {
  readonly ok: boolean;
  /** Events in the log. */
  readonly events: number;
  readonly headSequence: number;
  /** Backups in the projection. */
  readonly backups: number;
  /** Human-readable problems, at most a handful of each kind. */
  readonly problems: readonly string[];
}

const sample = 5;

/**
 * Replays the event log inside SQLite (bounded memory, whatever the log's size) and
 * checks: sequence numbers run 1..head with no gap; every event is a valid transition
 * (added only when absent, updated/removed only when present); the projection holds
 * exactly the backups the log says are present, with the logged fields; folder counts match.
 */
export function verifyLog(db: Database.Database): VerifyReport {
  const problems: string[] = [];
  const seq = db.prepare('SELECT count(*) AS n, coalesce(min(seq), 0) AS lo, coalesce(max(seq), 0) AS hi FROM events').get() as {
    n: number;
    lo: number;
    hi: number;
  };
  if (seq.n > 0 && (seq.lo !== 1 || seq.hi !== seq.n)) {
    problems.push(`sequence numbers are not gap-free: ${seq.n} events span ${seq.lo}..${seq.hi}`);
  }

  const transitions = db.prepare(`SELECT seq, type, prev, folder_id, backup_id FROM (
      SELECT seq, type, folder_id, backup_id, lag(type) OVER (PARTITION BY folder_id, backup_id ORDER BY seq) AS prev FROM events)
    WHERE (type = 'added' AND prev IS NOT NULL AND prev <> 'removed')
       OR (type <> 'added' AND (prev IS NULL OR prev = 'removed'))
    ORDER BY seq LIMIT ${sample}`).all() as { seq: number; type: string; prev: string | null; folder_id: string; backup_id: string }[];
  for (const t of transitions) {
    problems.push(`event ${t.seq}: '${t.type}' of ${t.backup_id} in ${t.folder_id} after ${t.prev === null ? 'nothing' : `'${t.prev}'`}`);
  }

  // Every projected row must be the state set by the last event of its backup.
  const columnMismatch = backupColumnNames
    .split(', ')
    .map((c) => `e.${c} IS NOT b.${c}`)
    .join(' OR ');
  const stale = db.prepare(`WITH last AS (SELECT folder_id, backup_id, max(seq) AS seq FROM events GROUP BY folder_id, backup_id)
    SELECT b.folder_id, b.id FROM backups b
    LEFT JOIN last l ON l.folder_id = b.folder_id AND l.backup_id = b.id
    LEFT JOIN events e ON e.seq = b.seq
    WHERE l.seq IS NULL OR l.seq <> b.seq OR e.type = 'removed' OR e.folder_id <> b.folder_id OR e.backup_id <> b.id
       OR ${columnMismatch}
    LIMIT ${sample}`).all() as { folder_id: string; id: string }[];
  for (const r of stale) problems.push(`backup ${r.id} in ${r.folder_id} does not match the last event the log holds for it`);

  const live = (
    db.prepare(`SELECT count(*) AS n FROM events e
      WHERE e.seq IN (SELECT max(seq) FROM events GROUP BY folder_id, backup_id) AND e.type <> 'removed'`).get() as { n: number }
  ).n;
  const backups = (db.prepare('SELECT count(*) AS n FROM backups').get() as { n: number }).n;
  if (live !== backups) problems.push(`the log holds ${live} present backups but the mirror has ${backups}`);

  const counts = db.prepare(`SELECT f.folder_id, f.backup_count, (SELECT count(*) FROM backups b WHERE b.folder_id = f.folder_id) AS actual
    FROM folders f WHERE f.backup_count <> (SELECT count(*) FROM backups b WHERE b.folder_id = f.folder_id) LIMIT ${sample}`).all() as {
    folder_id: string;
    backup_count: number;
    actual: number;
  }[];
  for (const c of counts) problems.push(`folder ${c.folder_id} records ${c.backup_count} backups but the mirror has ${c.actual}`);

  return { ok: problems.length === 0, events: seq.n, headSequence: seq.hi, backups, problems };
}
