import type Database from 'better-sqlite3';
import type { Backup } from '../mirror/backup.js';
import { backupColumnNames, backupFromColumns, type BackupColumns } from './backup-row.js';

interface BackupRow extends BackupColumns {
  folder_id: string;
  id: string;
}

/** Prepared reads of the `backups` projection (prepared once: these sit on the facade's hot path). */
export class BackupReader {
  private readonly byId: Database.Statement;
  private readonly page: Database.Statement;
  private readonly firstPage: Database.Statement;

  constructor(db: Database.Database) {
    // Two folders may briefly both hold an id (a cluster moved between folders): the latest wins.
    this.byId = db.prepare(`SELECT folder_id, id, ${backupColumnNames} FROM backups WHERE id = ? ORDER BY seq DESC LIMIT 1`);
    this.page = db.prepare(`SELECT folder_id, id, ${backupColumnNames} FROM backups WHERE folder_id = ? AND id > ? ORDER BY id LIMIT ?`);
    this.firstPage = db.prepare(`SELECT folder_id, id, ${backupColumnNames} FROM backups WHERE folder_id = ? ORDER BY id LIMIT ?`);
  }

  /** The mirrored backup with this id, or undefined. */
  get(id: string): Backup | undefined {
    const row = this.byId.get(id) as BackupRow | undefined;
    return row === undefined ? undefined : backupFromColumns(row.id, row.folder_id, row);
  }

  /** Up to `limit` backups of a folder in id order, after `afterId` (exclusive; null = from the start). */
  list(folderId: string, afterId: string | null, limit: number): Backup[] {
    const rows = (afterId === null ? this.firstPage.all(folderId, limit) : this.page.all(folderId, afterId, limit)) as BackupRow[];
    return rows.map((r) => backupFromColumns(r.id, r.folder_id, r));
  }
}
