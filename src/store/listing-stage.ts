import type Database from 'better-sqlite3';
import type { Backup } from '../mirror/backup.js';
import type { DigestView } from '../mirror/digest-view.js';
import { fingerprint, hashId, type IdHash } from '../mirror/fingerprint.js';
import { backupColumnNames, backupFromColumns, type BackupColumns } from './backup-row.js';
import { loadDigest } from './digest-table.js';
import { StagedRows } from './staged-rows.js';

let nextStageId = 1;
const maxPage = 1000;

export interface ListingStageOptions {
  /** Hash of backup ids for the folder digest (default `hashId`); tests inject colliding ones. */
  readonly hashId?: IdHash;
}

/**
 * A folder's listing as it is being collected: a pass holds one page of objects at a time
 * however large the folder.
 *
 * Most of a re-pass is backups the mirror already has, unchanged. Each listed backup is
 * checked in memory against the folder's digest (`DigestView`: hash of the id, a probe of
 * the hash index, exact id compare, content fingerprint) and marked listed; only new or changed
 * backups touch SQLite, staged in full in a connection-private TEMP table (`table`).
 * Mirrored backups never listed are the removal candidates (`removalsTable`).
 */
export class ListingStage {
  /** TEMP table of listed backups that are new or differ from the mirror (each id once, unordered). */
  readonly table: string;
  /** The folder's digest and this listing's marks; stored by the commit. */
  readonly digest: DigestView;
  /** Generation of the stored digest this listing is checked against (null: none stored). */
  readonly baseGeneration: number | null;
  /** Whether the digest's base is the stored one (false: rebuilt from the mirror). */
  readonly digestBaseStored: boolean;
  /** The id hash the digest is built with. */
  readonly hash: IdHash;
  private readonly staged: StagedRows;
  private readonly addPage: (backups: readonly Backup[]) => void;
  private removals: string | null = null;
  private unmarkRemoval: Database.Statement | null = null;
  private readonly stageNumber: number;
  private rows = 0;
  private disposed = false;

  constructor(private readonly db: Database.Database, readonly folderId: string, options: ListingStageOptions = {}) {
    this.stageNumber = nextStageId++;
    this.hash = options.hashId ?? hashId;
    const loaded = loadDigest(db, folderId, this.hash);
    this.digest = loaded.view;
    this.baseGeneration = loaded.generation;
    this.digestBaseStored = loaded.baseStored;
    this.table = `temp.listing_${this.stageNumber}`;
    // No key: each id is staged at most once (the digest keeps them distinct), and appending
    // is much cheaper than keeping a b-tree in order; the commit sorts once.
    db.exec(`CREATE TABLE ${this.table} (
      id TEXT NOT NULL, created_s INTEGER, created_ns INTEGER, source_cluster_id TEXT NOT NULL,
      started_s INTEGER, started_ns INTEGER, shard_names TEXT NOT NULL, backup_type INTEGER NOT NULL)`);
    this.staged = new StagedRows(db, this.table);
    this.addPage = db.transaction((backups: readonly Backup[]) => {
      for (const b of backups) this.addOne(b);
      this.staged.flush();
    });
  }

  /** Stages one page (any number of backups); an id already listed is kept as first seen and counted as a duplicate. */
  add(backups: readonly Backup[]): void {
    if (backups.length <= maxPage) this.addPage(backups);
    else for (let i = 0; i < backups.length; i += maxPage) this.addPage(backups.slice(i, i + maxPage));
  }

  private addOne(b: Backup): void {
    this.rows++;
    switch (this.digest.list(b.id, this.hash(b.id), fingerprint(b))) {
      case 'duplicate':
        return;
      case 'same':
        this.unmarkRemoval?.run(b.id);
        return;
      case 'changed':
        this.unmarkRemoval?.run(b.id);
        this.staged.push(b);
        return;
      case 'new':
        this.staged.push(b);
        return;
    }
  }

  /** Distinct backups listed so far. */
  get size(): number {
    return this.digest.listed;
  }

  /** Items dropped because their id was already listed (the same backup on two pages). */
  get duplicates(): number {
    return this.rows - this.digest.listed;
  }

  /**
   * TEMP table (`id`, primary key) of the mirrored backups this listing lacks so far, built
   * on first use and kept current as more is listed; null when there are none. Call it
   * outside a transaction (TEMP DDL inside one would be undone by its rollback).
   */
  removalsTable(): string | null {
    if (this.removals !== null) return this.removals;
    if (!this.digest.hasMissing) return null;
    const table = `temp.removals_${this.stageNumber}`;
    this.db.exec(`CREATE TABLE ${table} (id TEXT PRIMARY KEY) WITHOUT ROWID`);
    const insert = this.db.prepare(`INSERT INTO ${table} VALUES (?)`);
    this.db.transaction(() => this.digest.forEachMissing((id) => insert.run(id)))();
    this.removals = table;
    this.unmarkRemoval = this.db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    return table;
  }

  /**
   * Mirrored backups of the folder that this listing lacks (candidates for `removed`),
   * in id order after `afterId`, at most `limit`: callers page through them.
   */
  missing(afterId: string, limit: number): Backup[] {
    const table = this.removalsTable();
    if (table === null) return [];
    const rows = this.db
      .prepare(`SELECT b.id, ${backupColumnNames.split(', ').map((c) => `b.${c}`).join(', ')}
        FROM ${table} r JOIN backups b ON b.folder_id = ? AND b.id = r.id
        WHERE r.id > ? ORDER BY r.id LIMIT ?`)
      .all(this.folderId, afterId, limit) as (BackupColumns & { id: string })[];
    return rows.map((r) => backupFromColumns(r.id, this.folderId, r));
  }

  /** Drops the TEMP tables. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    if (this.removals !== null) this.db.exec(`DROP TABLE IF EXISTS ${this.removals}`);
  }
}
