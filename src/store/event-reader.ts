import type Database from 'better-sqlite3';
import type { EventType, MirrorEvent } from '../mirror/event.js';
import { backupColumnNames, backupFromColumns, type BackupColumns } from './backup-row.js';

interface EventRow extends BackupColumns {
  seq: number;
  type: EventType;
  folder_id: string;
  backup_id: string;
  observed_at: number;
  pass_id: string;
  bootstrap: number;
}

/** The event log's head: the last sequence number, 0 when empty. */
export function headSequence(db: Database.Database): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) AS head FROM events').get() as { head: number }).head;
}

/**
 * Events after `afterSequence` in order, at most `limit` of them (default 1000), optionally
 * of one folder. Callers page by passing the last sequence they got, so memory stays bounded.
 */
export function readEvents(
  db: Database.Database,
  afterSequence: number,
  options: { limit?: number; folderId?: string | undefined } = {},
): MirrorEvent[] {
  const limit = options.limit ?? 1000;
  const rows = (
    options.folderId === undefined
      ? db.prepare(`SELECT seq, type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${backupColumnNames}
          FROM events WHERE seq > ? ORDER BY seq LIMIT ?`).all(afterSequence, limit)
      : db.prepare(`SELECT seq, type, folder_id, backup_id, observed_at, pass_id, bootstrap, ${backupColumnNames}
          FROM events WHERE seq > ? AND folder_id = ? ORDER BY seq LIMIT ?`).all(afterSequence, options.folderId, limit)
  ) as EventRow[];
  return rows.map((r) => ({
    sequence: r.seq,
    type: r.type,
    folderId: r.folder_id,
    backupId: r.backup_id,
    observedAt: r.observed_at,
    passId: r.pass_id,
    bootstrap: r.bootstrap === 1,
    backup: backupFromColumns(r.backup_id, r.folder_id, r),
  }));
}
