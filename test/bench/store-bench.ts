import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import { MirrorStore } from '../../src/store/mirror-store.js';
import type { Backup } from '../../src/mirror/backup.js';
import { syntheticPages } from './synthetic-pages.js';

/** The folder every bench pass lists. */
export const folder = 'b1gbenchfolder000000';

// A full GC before each timed section: the pre-generated pages (a million objects) leave a
// major collection due, which would otherwise land, at random, in whichever section runs next.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Wall and CPU (this process, all threads) time of `run`, ms. */
interface Took {
  readonly ms: number;
  readonly cpuMs: number;
}

function timed<T>(run: () => T): [T, Took] {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(cpu);
  return [result, { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000 }];
}

function plus(a: Took, b: Took): Took {
  return { ms: a.ms + b.ms, cpuMs: a.cpuMs + b.cpuMs };
}

/** Bare better-sqlite3: the same rows (pre-generated) inserted one by one in one transaction, table with two indexes. */
function baseline(dir: string, pages: readonly Backup[][]): Took {
  const db = new Database(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE backups (folder_id TEXT NOT NULL, id TEXT NOT NULL, created_s INTEGER, created_ns INTEGER,
    source_cluster_id TEXT NOT NULL, started_s INTEGER, started_ns INTEGER, shard_names TEXT NOT NULL, backup_type INTEGER NOT NULL,
    PRIMARY KEY (folder_id, id)) WITHOUT ROWID; CREATE INDEX backups_by_id ON backups (id);`);
  const insert = db.prepare('INSERT INTO backups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const rows = pages.flat();
  collectGarbage();
  const [, took] = timed(() =>
    db.transaction(() => {
      for (const b of rows) {
        insert.run(folder, b.id, b.createdAt?.seconds, b.createdAt?.nanos, b.sourceClusterId, b.startedAt?.seconds, b.startedAt?.nanos, JSON.stringify(b.sourceShardNames), b.type);
      }
    })(),
  );
  db.close();
  return took;
}

/**
 * Stages the pages and commits them as one pass; returns staging and commit times, ms.
 * Pages may be an array (made before timing: object creation stands in for gRPC decoding,
 * not the store's cost) or a lazy generator (the 1M RSS run, where a million objects at once
 * would measure the bench, not the store).
 */
export function pass(store: MirrorStore, pages: Iterable<Backup[]>, passId: string): { stage: Took; commit: Took; added: number; removed: number } {
  if (Array.isArray(pages)) collectGarbage();
  const [stage, staging] = timed(() => {
    const s = store.beginListing(folder);
    for (const page of pages) s.add(page);
    return s;
  });
  const [applied, commit] = timed(() => store.commitPass(stage, passId, Date.now()));
  stage.dispose();
  return { stage: staging, commit, added: applied.added, removed: applied.removed };
}

function line(what: string, p: { stage: Took; commit: Took }, base: Took, target: string): string {
  const all = plus(p.stage, p.commit);
  return `store: ${what} (stage ${p.stage.ms.toFixed(0)} + diff/commit ${p.commit.ms.toFixed(0)}): ${all.ms.toFixed(0)} ms = ${(all.ms / base.ms).toFixed(2)}x baseline (target ${target}); CPU ${all.cpuMs.toFixed(0)} ms = ${(all.cpuMs / base.cpuMs).toFixed(2)}x`;
}

/** The store benchmark of issue 2: first pass and 1%-churn re-pass of 100k backups against bare inserts, and 1M peak RSS. */
export function storeBench(): Record<string, number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rbm-bench-'));
  try {
    const n = 100_000;
    const firstPages = [...syntheticPages(folder, n, 1000, 0)];
    const churnPages = [...syntheticPages(folder, n, 1000, n / 100)];
    const base = baseline(dir, firstPages);
    const store = MirrorStore.open(path.join(dir, 'mirror.db'));
    const first = pass(store, firstPages, 'p1');
    const churn = pass(store, churnPages, 'p2');
    store.close();
    const firstMs = first.stage.ms + first.commit.ms;
    const churnMs = churn.stage.ms + churn.commit.ms;
    console.log(`store: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs (other processes skew every figure; compare ratios within one run)`);
    console.log(`store: bare better-sqlite3 insert of ${n} rows in one transaction: ${base.ms.toFixed(0)} ms, CPU ${base.cpuMs.toFixed(0)} ms`);
    console.log(line(`first pass of ${n}`, first, base, '<= 1.5x'));
    console.log(line(`1%-churn re-pass (+${churn.added} -${churn.removed})`, churn, base, '<= 0.5x'));
    const rss = Number(
      execFileSync(process.execPath, ['--import=tsx', path.join(import.meta.dirname, 'rss-million.ts'), path.join(dir, 'million.db')], { encoding: 'utf8' }).trim(),
    );
    console.log(`store: peak RSS of a 1,000,000-backup first pass: ${(rss / 1024 / 1024).toFixed(0)} MB (target < 300 MB)`);
    return { baselineMs: base.ms, firstMs, churnMs, firstRatio: firstMs / base.ms, churnRatio: churnMs / base.ms, millionRssMb: rss / 1024 / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
