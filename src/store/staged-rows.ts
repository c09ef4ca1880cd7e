import type Database from 'better-sqlite3';
import type { Backup } from '../mirror/backup.js';

/** Rows bound per multi-row INSERT: one statement call instead of a hundred. */
const rowsPerInsert = 100;
const columns = 8;
const row = `(${Array.from({ length: columns }, () => '?').join(', ')})`;

/**
 * Appends backups to a staging table (columns: id, then `backupColumnNames`) in multi-row
 * INSERTs: better-sqlite3's cost per statement call, not SQLite's per row, dominates a
 * one-row insert. Call {@link flush} before anything reads the table.
 */
export class StagedRows {
  private readonly one: Database.Statement;
  /** Prepared on the first full batch: a small folder never needs it. */
  private many: Database.Statement | null = null;
  /** The batch's values, written in place (an array emptied and refilled would be reallocated). */
  private readonly values: (string | number | null)[] = new Array<string | number | null>(rowsPerInsert * columns).fill(null);
  private queued = 0;

  constructor(private readonly db: Database.Database, private readonly table: string) {
    this.one = db.prepare(`INSERT INTO ${table} VALUES ${row}`);
  }

  /** Queues one backup's row (the values `backupTuple` gives), writing a full batch when there is one. */
  push(b: Backup): void {
    const v = this.values;
    let at = this.queued * columns;
    v[at++] = b.id;
    v[at++] = b.createdAt?.seconds ?? null;
    v[at++] = b.createdAt?.nanos ?? null;
    v[at++] = b.sourceClusterId;
    v[at++] = b.startedAt?.seconds ?? null;
    v[at++] = b.startedAt?.nanos ?? null;
    v[at++] = JSON.stringify(b.sourceShardNames);
    v[at] = b.type;
    if (++this.queued === rowsPerInsert) {
      this.many ??= this.db.prepare(`INSERT INTO ${this.table} VALUES ${Array.from({ length: rowsPerInsert }, () => row).join(', ')}`);
      this.many.run(v);
      this.queued = 0;
    }
  }

  /** Writes the queued rows. */
  flush(): void {
    for (let r = 0; r < this.queued; r++) this.one.run(this.values.slice(r * columns, (r + 1) * columns));
    this.queued = 0;
  }
}
