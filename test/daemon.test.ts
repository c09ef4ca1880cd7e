import test from 'ava';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { status } from '@grpc/grpc-js';
import { startEmulator } from '../src/emulator/start-emulator.js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { jsonLines, runCli } from './helpers/cli.js';
import { eventually, sample, startDaemon, writeDaemonConfig } from './helpers/daemon-process.js';
import { tempDir } from './helpers/temp-dir.js';

async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}

function eventCounts(dir: string): Record<string, number> {
  const db = new Database(path.join(dir, 'mirror.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type').all() as { type: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.type, r.n]));
  } finally {
    db.close();
  }
}

test('the daemon passes on schedule, records new and expired backups without a restart, and its metrics pass promtool', async (t) => {
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 3 });
  t.teardown(() => emulator.close());
  const dir = tempDir(t);
  const daemon = await startDaemon(t, writeDaemonConfig(dir, emulator.address, emulator.folderIds));
  const [folder] = emulator.folderIds;
  await eventually(async () => ((sample(await scrape(daemon.metricsUrl), 'redis_backup_mirror_sync_attempts_total', { folder_id: folder ?? '' }) ?? 0) >= 2), 15_000, 'two scheduled passes');
  t.deepEqual(eventCounts(dir), { added: 42 });
  const ready = await fetch(daemon.metricsUrl.replace('/metrics', '/readyz'));
  t.is(ready.status, 200);

  emulator.clock.advance(dayMs);
  await eventually(() => (eventCounts(dir)['removed'] ?? 0) === 6, 15_000, 'the expired backups');
  t.deepEqual(eventCounts(dir), { added: 48, removed: 6 });

  const text = await scrape(daemon.metricsUrl);
  const newest = sample(text, 'redis_backup_mirror_cluster_newest_backup_timestamp_seconds', { folder_id: folder ?? '' });
  t.true(newest !== undefined && newest > (emulator.clock.now() - dayMs) / 1000 && newest <= emulator.clock.now() / 1000);
  t.is(sample(text, 'redis_backup_mirror_backups', { folder_id: folder ?? '' }), 21);
  t.is(sample(text, 'redis_backup_mirror_event_sequence'), 54);
  t.false(/c9q\w+:\d{8}T\d{6}/.test(text), 'no backup id in any label');
  const promtool = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.is(promtool.trim(), '');

  // The facade serves the same log over Watch.
  const watched = await runCli(['events', '--address', daemon.facadeAddress, '--after', '50']);
  t.is(watched.code, 0, watched.stderr);
  t.deepEqual(jsonLines(watched.stdout).map((e) => e['sequence']), [51, 52, 53, 54]);

  daemon.child.kill('SIGTERM');
  t.like(await daemon.exited, { code: 0 });
});

test('a failing folder keeps its mirror and series, flips folder_up to 0, counts the failure, and recovers', async (t) => {
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 3 });
  t.teardown(() => emulator.close());
  const [bad = '', good = ''] = emulator.folderIds;
  const dir = tempDir(t);
  const daemon = await startDaemon(t, writeDaemonConfig(dir, emulator.address, emulator.folderIds));
  await eventually(async () => sample(await scrape(daemon.metricsUrl), 'redis_backup_mirror_folder_up', { folder_id: bad }) === 1);

  emulator.faults.set({ failPage: { page: 0, folderId: bad, code: status.UNAVAILABLE } });
  await eventually(async () => sample(await scrape(daemon.metricsUrl), 'redis_backup_mirror_folder_up', { folder_id: bad }) === 0);
  const failing = await scrape(daemon.metricsUrl);
  t.true((sample(failing, 'redis_backup_mirror_sync_failures_total', { folder_id: bad }) ?? 0) >= 1);
  t.is(sample(failing, 'redis_backup_mirror_folder_up', { folder_id: good }), 1);
  t.is(sample(failing, 'redis_backup_mirror_backups', { folder_id: bad }), 21, 'the last mirror is kept');
  t.truthy(sample(failing, 'redis_backup_mirror_cluster_newest_backup_timestamp_seconds', { folder_id: bad }), 'cluster series are kept');
  t.regex(daemon.stderr(), /"msg":"folder pass failed".*UNAVAILABLE.*x-request-id/);

  emulator.faults.clear();
  await eventually(async () => sample(await scrape(daemon.metricsUrl), 'redis_backup_mirror_folder_up', { folder_id: bad }) === 1);
  daemon.child.kill('SIGTERM');
  t.like(await daemon.exited, { code: 0 });
});

test('ticks that arrive while a pass runs are skipped and counted; SIGTERM mid-pass exits 0 and the next start verifies clean', async (t) => {
  const emulator = await startEmulator({ folders: 1, clustersPerFolder: 40 });
  t.teardown(() => emulator.close());
  const dir = tempDir(t);
  const config = writeDaemonConfig(dir, emulator.address, emulator.folderIds);
  emulator.faults.set({ delayMs: 150 }); // 14 pages: a pass takes ~2 s, longer than the 1 s schedule
  const daemon = await startDaemon(t, config);
  await eventually(async () => (sample(await scrape(daemon.metricsUrl), 'redis_backup_mirror_skipped_ticks_total') ?? 0) >= 1, 20_000, 'a skipped tick');
  t.regex(daemon.stderr(), /schedule tick skipped/);

  await eventually(() => emulator.stats.pagesServed % 14 > 3, 10_000, 'a pass in the middle');
  const started = Date.now();
  daemon.child.kill('SIGTERM');
  const exit = await daemon.exited;
  t.like(exit, { code: 0 });
  t.true(Date.now() - started < 10_000);

  emulator.faults.clear();
  const verify = await runCli(['verify', '--config', config]);
  t.is(verify.code, 0, verify.stdout);
  const again = await startDaemon(t, config);
  await eventually(async () => sample(await scrape(again.metricsUrl), 'redis_backup_mirror_folder_up', { folder_id: emulator.folderIds[0] ?? '' }) === 1);
  again.child.kill('SIGTERM');
  t.like(await again.exited, { code: 0 });
  t.is((await runCli(['verify', '--config', config])).code, 0);
});
