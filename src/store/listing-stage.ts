import type Database from 'better-sqlite3';
import { sameBackup, type Backup } from '../mirror/backup.js';
import { backupColumnNames, backupFromColumns, backupTuple, type BackupColumns } from './backup-row.js';

let nextStageId = 1;
const maxPage = 1000;

/**
 * A folder's listing as it is being collected, in connection-private TEMP tables (in
 * memory): a pass holds one page of objects at a time however large the folder.
 *
 * Most of a re-pass is backups the mirror already has, unchanged. Each page is checked
 * against the mirror with one batched lookup; only new or changed backups are staged in
 * full (`table`), every listed id goes into `seen` (what tells removals apart later).
 * A folder with nothing mirrored yet skips both: everything it lists is new.
 */
export class ListingStage {
  /** TEMP table of listed backups that are new or differ from the mirror. */
  readonly table: string;
  /** TEMP table of every distinct id listed; null when the mirror had nothing for the folder. */
  readonly seenTable: string | null;
  private readonly insertPage: (backups: readonly Backup[]) => void;
  private readonly lookups = new Map<number, Database.Statement>();
  private rows = 0;
  private distinct = 0;
  private disposed = false;

  constructor(private readonly db: Database.Database, readonly folderId: string) {
    const n = nextStageId++;
    this.table = `temp.listing_${n}`;
    db.exec(`CREATE TABLE ${this.table} (
      id TEXT PRIMARY KEY, created_s INTEGER, created_ns INTEGER, source_cluster_id TEXT NOT NULL,
      started_s INTEGER, started_ns INTEGER, shard_names TEXT NOT NULL, backup_type INTEGER NOT NULL) WITHOUT ROWID`);
    const stageRow = db.prepare(`INSERT OR IGNORE INTO ${this.table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    const mirrored = db.prepare('SELECT 1 FROM backups WHERE folder_id = ? LIMIT 1').get(folderId) !== undefined;
    if (!mirrored) {
      this.seenTable = null;
      this.insertPage = db.transaction((backups: readonly Backup[]) => {
        for (const b of backups) this.distinct += stageRow.run(backupTuple(b)).changes;
      });
      return;
    }
    this.seenTable = `temp.seen_${n}`;
    db.exec(`CREATE TABLE ${this.seenTable} (id TEXT PRIMARY KEY) WITHOUT ROWID`);
    const see = db.prepare(`INSERT OR IGNORE INTO ${this.seenTable} VALUES (?)`);
    this.insertPage = db.transaction((backups: readonly Backup[]) => {
      const known = this.lookup(backups);
      for (const b of backups) {
        if (see.run(b.id).changes === 0) continue; // the same id again: keep the first
        this.distinct++;
        const mirror = known.get(b.id);
        if (mirror === undefined || !sameBackup(mirror, b)) stageRow.run(backupTuple(b));
      }
    });
  }

  /** Stages one page (any number of backups); an id already staged is kept as first seen and counted as a duplicate. */
  add(backups: readonly Backup[]): void {
    for (let i = 0; i < backups.length; i += maxPage) {
      const chunk = backups.slice(i, i + maxPage);
      this.insertPage(chunk);
      this.rows += chunk.length;
    }
  }

  /** Distinct backups listed so far. */
  get size(): number {
    return this.distinct;
  }

  /** Items dropped because their id was already listed (the same backup on two pages). */
  get duplicates(): number {
    return this.rows - this.distinct;
  }

  /**
   * Mirrored backups of the folder that this listing lacks (candidates for `removed`),
   * in id order after `afterId`, at most `limit`: callers page through them.
   */
  missing(afterId: string, limit: number): Backup[] {
    if (this.seenTable === null) return [];
    const rows = this.db
      .prepare(`SELECT b.id, ${backupColumnNames.split(', ').map((c) => `b.${c}`).join(', ')} FROM backups b
        WHERE b.folder_id = ? AND b.id > ? AND NOT EXISTS (SELECT 1 FROM ${this.seenTable} s WHERE s.id = b.id)
        ORDER BY b.id LIMIT ?`)
      .all(this.folderId, afterId, limit) as (BackupColumns & { id: string })[];
    return rows.map((r) => backupFromColumns(r.id, this.folderId, r));
  }

  /** Drops the TEMP tables. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    if (this.seenTable !== null) this.db.exec(`DROP TABLE IF EXISTS ${this.seenTable}`);
  }

  /** The mirror's current state of the page's backups, by id: one batched primary-key lookup. */
  private lookup(backups: readonly Backup[]): Map<string, Backup> {
    let stmt = this.lookups.get(backups.length);
    if (stmt === undefined) {
      stmt = this.db.prepare(`SELECT id, ${backupColumnNames} FROM backups WHERE folder_id = ? AND id IN (${backups.map(() => '?').join(', ')})`);
      this.lookups.set(backups.length, stmt);
    }
    const rows = stmt.all(this.folderId, ...backups.map((b) => b.id)) as (BackupColumns & { id: string })[];
    return new Map(rows.map((r) => [r.id, backupFromColumns(r.id, this.folderId, r)]));
  }
}
