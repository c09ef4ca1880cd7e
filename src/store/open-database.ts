import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { currentVersion, latestVersion, loadMigrations, migrate } from './migrations.js';
import { StoreError } from './store-error.js';

/** `PRAGMA application_id` of a mirror database: "RBM1". */
export const applicationId = 0x52424d31;

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Opens (creating if needed) a mirror database: checks that an existing file is ours and
 * not from a newer build *before* writing anything to it, then applies pending migrations
 * and switches to WAL.
 * @throws StoreError naming the file and what is wrong with it.
 */
export function openDatabase(file: string): Database.Database {
  const migrations = loadMigrations();
  if (file !== ':memory:') inspectExisting(file, latestVersion(migrations));
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // A pass stages its listing in TEMP tables; on a large first pass those (and the sort of
    // them at commit) would hold ~100 MB per million backups in memory. In a temp file they
    // cost page-cache, not process memory, and are barely slower (they are never synced).
    db.pragma('temp_store = FILE');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function inspectExisting(file: string, newest: number): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  if (!hasSqliteHeader(file)) {
    throw new StoreError(`${file} is not a redis-backup-mirror database (not an SQLite file); refusing to touch it`);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`${file} cannot be opened as an SQLite database: ${(err as Error).message}`);
  }
  try {
    const appId = db.pragma('application_id', { simple: true }) as number;
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number };
    if (appId !== applicationId && !(appId === 0 && tables.n === 0)) {
      throw new StoreError(`${file} is an SQLite database of some other application, not a redis-backup-mirror database; refusing to touch it`);
    }
    const version = currentVersion(db);
    if (version > newest) {
      throw new StoreError(
        `${file} has schema version ${version}, newer than this build supports (${newest}); upgrade redis-backup-mirror or point store.path elsewhere`,
      );
    }
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${file} is not a usable redis-backup-mirror database: ${(err as Error).message}`);
  } finally {
    db.close();
  }
}

function hasSqliteHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(sqliteHeader.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return n === buf.length && buf.equals(sqliteHeader);
  } finally {
    closeSync(fd);
  }
}
