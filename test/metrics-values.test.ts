import test from 'ava';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { register as globalRegister } from 'prom-client';
import { startEmulator } from '../src/emulator/start-emulator.js';
import { createMetrics, type MirrorMetrics } from '../src/metrics/create-metrics.js';
import type { Backup } from '../src/mirror/backup.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { syncFolder, type PassOutcome } from '../src/sync/sync-folder.js';
import { BackupClient } from '../src/upstream/backup-client.js';
import { staticTokenProvider } from '../src/upstream/token-provider.js';
import { version } from '../src/version.js';
import { makeBackup } from './helpers/make-backup.js';
import { tempDir } from './helpers/temp-dir.js';

/** Samples of a Prometheus text exposition, keyed by the series exactly as printed: `name{a="x",b="y"}`. */
async function scrape(metrics: MirrorMetrics): Promise<Map<string, number>> {
  const { body } = await metrics.render('prometheus');
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*(?:\{.*\})?) (\S+)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

/** Series of one metric name, printed form -> value. */
function series(samples: Map<string, number>, name: string): Map<string, number> {
  return new Map([...samples].filter(([key]) => key === name || key.startsWith(`${name}{`)));
}

function openStore(t: Parameters<typeof tempDir>[0]): MirrorStore {
  const store = MirrorStore.open(path.join(tempDir(t), 'mirror.db'));
  t.teardown(() => store.close());
  return store;
}

/** Commits a listing of `backups` for `folder` the way a pass does, and returns the outcome a pass would report. */
function pass(store: MirrorStore, folder: string, backups: Backup[], at: number): PassOutcome {
  const stage = store.beginListing(folder);
  try {
    stage.add(backups);
    const applied = store.commitPass(stage, `pass-${at}`, at);
    return {
      folderId: folder, passId: `pass-${at}`, ok: true, added: applied.added, removed: applied.removed, updated: applied.updated,
      backups: applied.backups, duplicates: stage.duplicates, unconfirmedRemovals: 0, pages: 1, bootstrap: applied.bootstrap,
      durationMs: 1500, error: null, firstSequence: applied.firstSequence, lastSequence: applied.lastSequence,
    };
  } finally {
    stage.dispose();
  }
}

function failure(store: MirrorStore, folder: string, at: number): PassOutcome {
  store.recordFailure(folder, at, 'List failed with UNAVAILABLE', `fail-${at}`);
  return {
    folderId: folder, passId: `fail-${at}`, ok: false, added: 0, removed: 0, updated: 0, backups: store.folderState(folder)?.backupCount ?? 0,
    duplicates: 0, unconfirmedRemovals: 0, pages: 0, bootstrap: false, durationMs: 200, error: 'List failed with UNAVAILABLE', firstSequence: null, lastSequence: null,
  };
}

const p = 'redis_backup_mirror_';
const ts = (seconds: number, nanos = 0) => ({ createdAt: { seconds, nanos } });

test('a successful pass: counters, folder health and per-cluster figures, newest timestamp with its nanos', async (t) => {
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: ['f1'] });
  metrics.recordPass(
    pass(store, 'f1', [
      makeBackup('ca:1', 'f1', ts(1_764_000_000, 0)),
      makeBackup('ca:2', 'f1', ts(1_764_086_400, 250_000_000)),
      makeBackup('cb:1', 'f1', ts(1_764_050_000, 0)),
    ], 1_765_000_000_000),
  );
  const s = await scrape(metrics);
  t.is(s.get(`${p}sync_attempts_total{folder_id="f1"}`), 1);
  t.is(s.get(`${p}sync_failures_total{folder_id="f1"}`), 0);
  t.is(s.get(`${p}sync_duration_seconds_count{folder_id="f1"}`), 1);
  t.is(s.get(`${p}sync_duration_seconds_sum{folder_id="f1"}`), 1.5);
  t.is(s.get(`${p}sync_duration_seconds_bucket{le="2.5",folder_id="f1"}`), 1);
  t.is(s.get(`${p}sync_duration_seconds_bucket{le="1",folder_id="f1"}`), 0);
  t.is(s.get(`${p}events_total{type="added"}`), 3);
  t.is(s.get(`${p}events_total{type="removed"}`), 0);
  t.is(s.get(`${p}events_total{type="updated"}`), 0);
  t.is(s.get(`${p}folder_up{folder_id="f1"}`), 1);
  t.is(s.get(`${p}last_success_timestamp_seconds{folder_id="f1"}`), 1_765_000_000);
  t.is(s.get(`${p}backups{folder_id="f1"}`), 3);
  t.deepEqual(series(s, `${p}cluster_backups`), new Map([
    [`${p}cluster_backups{folder_id="f1",source_cluster_id="ca"}`, 2],
    [`${p}cluster_backups{folder_id="f1",source_cluster_id="cb"}`, 1],
  ]));
  t.deepEqual(series(s, `${p}cluster_newest_backup_timestamp_seconds`), new Map([
    [`${p}cluster_newest_backup_timestamp_seconds{folder_id="f1",source_cluster_id="ca"}`, 1_764_086_400.25],
    [`${p}cluster_newest_backup_timestamp_seconds{folder_id="f1",source_cluster_id="cb"}`, 1_764_050_000],
  ]));
  t.is(s.get(`${p}event_sequence`), 3);
  t.is(s.get(`${p}build_info{version="${version}"}`), 1);
});

test('a failed pass counts the failure and flips folder_up to 0, keeping the last success and every cluster series', async (t) => {
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: ['f1', 'f2'] });
  metrics.recordPass(pass(store, 'f1', [makeBackup('ca:1', 'f1'), makeBackup('cb:1', 'f1')], 1_765_000_000_000));
  metrics.recordPass(pass(store, 'f2', [makeBackup('cc:1', 'f2')], 1_765_000_000_000));
  const before = await scrape(metrics);

  metrics.recordPass(failure(store, 'f1', 1_765_000_300_000));
  const after = await scrape(metrics);
  t.is(after.get(`${p}folder_up{folder_id="f1"}`), 0);
  t.is(after.get(`${p}folder_up{folder_id="f2"}`), 1, 'the other folder is unaffected');
  t.is(after.get(`${p}sync_attempts_total{folder_id="f1"}`), 2);
  t.is(after.get(`${p}sync_failures_total{folder_id="f1"}`), 1);
  t.is(after.get(`${p}sync_duration_seconds_count{folder_id="f1"}`), 2);
  t.is(after.get(`${p}last_success_timestamp_seconds{folder_id="f1"}`), 1_765_000_000);
  for (const name of ['cluster_backups', 'cluster_newest_backup_timestamp_seconds', 'backups']) {
    t.deepEqual(series(after, `${p}${name}`), series(before, `${p}${name}`), `${name} unchanged by a failed pass`);
  }

  metrics.recordPass(pass(store, 'f1', [makeBackup('ca:1', 'f1'), makeBackup('cb:1', 'f1')], 1_765_000_600_000));
  const recovered = await scrape(metrics);
  t.is(recovered.get(`${p}folder_up{folder_id="f1"}`), 1);
  t.is(recovered.get(`${p}last_success_timestamp_seconds{folder_id="f1"}`), 1_765_000_600);
});

test('the series of a cluster whose backups are all gone disappear; the other clusters stay', async (t) => {
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: ['f1'] });
  metrics.recordPass(pass(store, 'f1', [makeBackup('ca:1', 'f1'), makeBackup('ca:2', 'f1'), makeBackup('cb:1', 'f1', ts(1_764_000_500))], 1000));
  const first = await scrape(metrics);
  t.is(first.get(`${p}cluster_backups{folder_id="f1",source_cluster_id="ca"}`), 2);

  metrics.recordPass(pass(store, 'f1', [makeBackup('cb:1', 'f1', ts(1_764_000_500)), makeBackup('cb:2', 'f1', ts(1_764_086_900))], 2000));
  const s = await scrape(metrics);
  t.deepEqual(series(s, `${p}cluster_backups`), new Map([[`${p}cluster_backups{folder_id="f1",source_cluster_id="cb"}`, 2]]));
  t.deepEqual(series(s, `${p}cluster_newest_backup_timestamp_seconds`), new Map([
    [`${p}cluster_newest_backup_timestamp_seconds{folder_id="f1",source_cluster_id="cb"}`, 1_764_086_900],
  ]));
  t.is(s.get(`${p}backups{folder_id="f1"}`), 2);
  t.is(s.get(`${p}events_total{type="removed"}`), 2);
  t.is(s.get(`${p}event_sequence`), 6);
});

test('configured folders only: one never synced is down with no last success; one dropped from the config is not reported', async (t) => {
  const store = openStore(t);
  pass(store, 'old', [makeBackup('cx:1', 'old')], 1000);
  const metrics = createMetrics(store, { folders: ['f1', 'f2'] });
  pass(store, 'f1', [makeBackup('ca:1', 'f1')], 2000);
  const s = await scrape(metrics);
  t.is(s.get(`${p}folder_up{folder_id="f2"}`), 0);
  t.is(s.get(`${p}backups{folder_id="f2"}`), 0);
  t.is(s.get(`${p}sync_attempts_total{folder_id="f2"}`), 0, 'counters of configured folders start at 0');
  t.is(s.get(`${p}sync_failures_total{folder_id="f2"}`), 0);
  t.is(s.get(`${p}sync_duration_seconds_count{folder_id="f2"}`), 0);
  t.deepEqual([...series(s, `${p}last_success_timestamp_seconds`).keys()], [`${p}last_success_timestamp_seconds{folder_id="f1"}`]);
  t.false([...s.keys()].some((k) => k.includes('folder_id="old"')), 'a folder no longer configured raises nothing');

  const all = await scrape(createMetrics(store, { defaultMetrics: false }));
  t.deepEqual([...series(all, `${p}folder_up`).keys()].sort(), [`${p}folder_up{folder_id="f1"}`, `${p}folder_up{folder_id="old"}`], 'without a folder list: every folder the mirror knows');
});

test('upstream calls, skipped ticks, duplicates and unconfirmed removals are counted; counters start at 0', async (t) => {
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: ['f1'], version: '9.9.9' });
  const s0 = await scrape(metrics);
  t.is(s0.get(`${p}skipped_ticks_total`), 0);
  t.is(s0.get(`${p}events_total{type="updated"}`), 0);
  t.is(s0.get(`${p}build_info{version="9.9.9"}`), 1);

  metrics.recordUpstreamCall({ method: 'List', code: 'OK', durationSeconds: 0.02 });
  metrics.recordUpstreamCall({ method: 'List', code: 'UNAVAILABLE', durationSeconds: 0.3 });
  metrics.recordUpstreamCall({ method: 'Get', code: 'NOT_FOUND', durationSeconds: 0.004 });
  metrics.recordSkippedTick();
  metrics.recordSkippedTick();
  metrics.recordPass({ ...pass(store, 'f1', [makeBackup('ca:1', 'f1')], 1000), duplicates: 2, unconfirmedRemovals: 1 });
  const s = await scrape(metrics);
  t.is(s.get(`${p}upstream_requests_total{method="List",code="OK"}`), 1);
  t.is(s.get(`${p}upstream_requests_total{method="List",code="UNAVAILABLE"}`), 1);
  t.is(s.get(`${p}upstream_requests_total{method="Get",code="NOT_FOUND"}`), 1);
  t.is(s.get(`${p}upstream_request_duration_seconds_count{method="List"}`), 2);
  t.is(s.get(`${p}upstream_request_duration_seconds_bucket{le="0.025",method="List"}`), 1);
  t.is(s.get(`${p}upstream_request_duration_seconds_bucket{le="0.005",method="Get"}`), 1);
  t.is(s.get(`${p}skipped_ticks_total`), 2);
  t.is(s.get(`${p}duplicate_items_total{folder_id="f1"}`), 2);
  t.is(s.get(`${p}unconfirmed_removals_total{folder_id="f1"}`), 1);
});

test('its own registry with the process metrics; the global registry stays empty; no label carries a backup id', async (t) => {
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: ['f1'] });
  const ids = ['ca:backup-1', 'ca:backup-2', 'cb:backup-3'];
  metrics.recordPass(pass(store, 'f1', ids.map((id) => makeBackup(id, 'f1')), 1000));
  const s = await scrape(metrics);
  t.true(s.has('process_cpu_seconds_total'));
  t.true(s.has('process_resident_memory_bytes'));
  t.true([...s.keys()].some((k) => k.startsWith('nodejs_heap_size_used_bytes')));
  t.is(globalRegister.getMetricsAsArray().length, 0);
  const { body } = await metrics.render('prometheus');
  for (const id of ids) t.false(body.includes(id), `${id} in the exposition`);
});

test('against the emulator: a real pass and its upstream calls, then a failing upstream', async (t) => {
  const emulator = await startEmulator({ seed: 7, folders: 2, clustersPerFolder: 3 });
  t.teardown(() => emulator.close());
  const [f1 = '', f2 = ''] = emulator.folderIds;
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: [f1, f2] });
  const client = new BackupClient({
    endpoint: emulator.address, tls: false, caFile: null, timeoutMs: 5000,
    retry: { maxAttempts: 1, initialBackoffMs: 0, maxBackoffMs: 0 },
    tokens: staticTokenProvider(null),
    onCall: (r) => metrics.recordUpstreamCall(r),
  });
  t.teardown(() => client.close());
  const run = async (folder: string) => {
    const outcome = await syncFolder(store, client, folder, { pageSize: 5, confirmRemovals: true, signal: AbortSignal.timeout(10_000) });
    metrics.recordPass(outcome);
    return outcome;
  };
  const ok1 = await run(f1);
  await run(f2);
  const s = await scrape(metrics);
  t.true(ok1.ok);
  t.is(s.get(`${p}backups{folder_id="${f1}"}`), ok1.backups);
  t.is(s.get(`${p}events_total{type="added"}`), store.headSequence());
  t.is(series(s, `${p}cluster_backups`).size, 6);
  const lists = s.get(`${p}upstream_requests_total{method="List",code="OK"}`) ?? 0;
  t.true(lists >= 2, `List calls counted (${lists})`);

  emulator.faults.set({ failPage: { page: 0, folderId: f1, code: grpc.status.PERMISSION_DENIED } });
  const failed = await run(f1);
  t.false(failed.ok);
  const after = await scrape(metrics);
  t.is(after.get(`${p}folder_up{folder_id="${f1}"}`), 0);
  t.is(after.get(`${p}folder_up{folder_id="${f2}"}`), 1);
  t.is(after.get(`${p}sync_failures_total{folder_id="${f1}"}`), 1);
  t.is(after.get(`${p}upstream_requests_total{method="List",code="PERMISSION_DENIED"}`), 1);
  t.deepEqual(series(after, `${p}cluster_backups`), series(s, `${p}cluster_backups`));
});

test('label values are escaped in the per-cluster series', async (t) => {
  const store = openStore(t);
  const metrics = createMetrics(store, { folders: ['f1'], defaultMetrics: false });
  pass(store, 'f1', [makeBackup('x:1', 'f1', { sourceClusterId: 'odd"cluster\\name\nline' })], 1000);
  const { body } = await metrics.render('prometheus');
  t.true(body.includes(`${p}cluster_backups{folder_id="f1",source_cluster_id="odd\\"cluster\\\\name\\nline"} 1\n`));
});
