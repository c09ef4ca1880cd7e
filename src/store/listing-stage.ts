import type Database from 'better-sqlite3';
import type { Backup } from '../mirror/backup.js';
import { backupColumnNames, backupFromColumns, backupTuple, type BackupColumns } from './backup-row.js';

let nextStageId = 1;

/**
 * A folder's listing as it is being collected: pages go into a connection-private TEMP
 * table (in memory, `temp_store = MEMORY`), so a pass holds one page of objects at a time
 * however large the folder, and the diff runs as set operations inside SQLite.
 */
export class ListingStage {
  /** The TEMP table's qualified name, for the diff's SQL. */
  readonly table: string;
  private readonly insertPage: Database.Statement;
  private staged = 0;
  private duplicateCount = 0;
  private disposed = false;

  constructor(private readonly db: Database.Database, readonly folderId: string) {
    this.table = `temp.listing_${nextStageId++}`;
    db.exec(`CREATE TABLE ${this.table} (
      id TEXT PRIMARY KEY, created_s INTEGER, created_ns INTEGER, source_cluster_id TEXT NOT NULL,
      started_s INTEGER, started_ns INTEGER, shard_names TEXT NOT NULL, backup_type INTEGER NOT NULL
    ) WITHOUT ROWID`);
    // One statement per page: the page crosses into SQLite as one JSON text instead of
    // a thousand bound calls, which is what makes staging cheap.
    this.insertPage = db.prepare(`INSERT OR IGNORE INTO ${this.table}
      SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7
      FROM json_each(?) AS j`);
  }

  /** Stages one page; an id already staged is kept as first seen and counted as a duplicate. */
  add(backups: readonly Backup[]): void {
    if (backups.length === 0) return;
    const { changes } = this.insertPage.run(JSON.stringify(backups.map(backupTuple)));
    this.staged += changes;
    this.duplicateCount += backups.length - changes;
  }

  /** Distinct backups staged so far. */
  get size(): number {
    return this.staged;
  }

  /** Items dropped because their id was already staged (the same backup on two pages). */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /**
   * Mirrored backups of the folder that this listing lacks (candidates for `removed`),
   * in id order after `afterId`, at most `limit`: callers page through them.
   */
  missing(afterId: string, limit: number): Backup[] {
    const rows = this.db
      .prepare(`SELECT b.id, ${backupColumnNames.split(', ').map((c) => `b.${c}`).join(', ')} FROM backups b
        WHERE b.folder_id = ? AND b.id > ? AND NOT EXISTS (SELECT 1 FROM ${this.table} s WHERE s.id = b.id)
        ORDER BY b.id LIMIT ?`)
      .all(this.folderId, afterId, limit) as (BackupColumns & { id: string })[];
    return rows.map((r) => backupFromColumns(r.id, this.folderId, r));
  }

  /** Drops the TEMP table. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
  }
}
