import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { syntheticBackup, syntheticPages } from './synthetic-pages.js';

const folder = 'b1gbenchfolder000000';

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Bare better-sqlite3: the same rows inserted one by one in one transaction, table with two indexes. */
function baseline(dir: string, n: number): number {
  const db = new Database(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE backups (folder_id TEXT NOT NULL, id TEXT NOT NULL, created_s INTEGER, created_ns INTEGER,
    source_cluster_id TEXT NOT NULL, started_s INTEGER, started_ns INTEGER, shard_names TEXT NOT NULL, backup_type INTEGER NOT NULL,
    PRIMARY KEY (folder_id, id)) WITHOUT ROWID; CREATE INDEX backups_by_id ON backups (id);`);
  const insert = db.prepare('INSERT INTO backups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const start = process.hrtime.bigint();
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const b = syntheticBackup(folder, i);
      insert.run(folder, b.id, b.createdAt?.seconds, b.createdAt?.nanos, b.sourceClusterId, b.startedAt?.seconds, b.startedAt?.nanos, JSON.stringify(b.sourceShardNames), b.type);
    }
  })();
  const took = ms(start);
  db.close();
  return took;
}

/** Stages `n` backups and commits them as one pass; returns staging and commit times, ms. */
export function pass(store: MirrorStore, n: number, variant: number, passId: string): { stageMs: number; commitMs: number; added: number; removed: number } {
  const start = process.hrtime.bigint();
  const stage = store.beginListing(folder);
  for (const page of syntheticPages(folder, n, 1000, variant)) stage.add(page);
  const stageMs = ms(start);
  const commitStart = process.hrtime.bigint();
  const applied = store.commitPass(stage, passId, Date.now());
  const commitMs = ms(commitStart);
  stage.dispose();
  return { stageMs, commitMs, added: applied.added, removed: applied.removed };
}

/** The store benchmark of issue 2: first pass and 1%-churn re-pass of 100k backups against bare inserts, and 1M peak RSS. */
export function storeBench(): Record<string, number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rbm-bench-'));
  try {
    const n = 100_000;
    const base = baseline(dir, n);
    const store = MirrorStore.open(path.join(dir, 'mirror.db'));
    const first = pass(store, n, 0, 'p1');
    const churn = pass(store, n, n / 100, 'p2');
    store.close();
    const firstMs = first.stageMs + first.commitMs;
    const churnMs = churn.stageMs + churn.commitMs;
    console.log(`store: bare better-sqlite3 insert of ${n} rows in one transaction: ${base.toFixed(0)} ms`);
    console.log(`store: first pass of ${n} (stage ${first.stageMs.toFixed(0)} + diff/commit ${first.commitMs.toFixed(0)}): ${firstMs.toFixed(0)} ms = ${(firstMs / base).toFixed(2)}x baseline (target <= 1.5x)`);
    console.log(`store: 1%-churn re-pass (+${churn.added} -${churn.removed}; stage ${churn.stageMs.toFixed(0)} + diff/commit ${churn.commitMs.toFixed(0)}): ${churnMs.toFixed(0)} ms = ${(churnMs / base).toFixed(2)}x baseline (target <= 0.5x)`);
    const rss = Number(
      execFileSync(process.execPath, ['--import=tsx', path.join(import.meta.dirname, 'rss-million.ts'), path.join(dir, 'million.db')], { encoding: 'utf8' }).trim(),
    );
    console.log(`store: peak RSS of a 1,000,000-backup first pass: ${(rss / 1024 / 1024).toFixed(0)} MB (target < 300 MB)`);
    return { baselineMs: base, firstMs, churnMs, firstRatio: firstMs / base, churnRatio: churnMs / base, millionRssMb: rss / 1024 / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
