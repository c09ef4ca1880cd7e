import test, { type ExecutionContext } from 'ava';
import { request } from 'node:http';
import path from 'node:path';
import { createMetrics, type MirrorMetrics } from '../src/metrics/create-metrics.js';
import { startMetricsServer, type MetricsServer } from '../src/metrics/metrics-server.js';
import { mirrorReadiness } from '../src/metrics/readiness.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { makeBackup } from './helpers/make-backup.js';
import { tempDir } from './helpers/temp-dir.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(server: MetricsServer, urlPath: string, options: { method?: string; accept?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path: urlPath, agent: false, method: options.method ?? 'GET', headers: options.accept === undefined ? {} : { accept: options.accept } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function commit(store: MirrorStore, folder: string, ids: string[], at: number): void {
  const stage = store.beginListing(folder);
  try {
    stage.add(ids.map((id) => makeBackup(id, folder)));
    store.commitPass(stage, `pass-${at}`, at);
  } finally {
    stage.dispose();
  }
}

async function setup(t: ExecutionContext, folders = ['f1', 'f2']): Promise<{ store: MirrorStore; metrics: MirrorMetrics; server: MetricsServer }> {
  const store = MirrorStore.open(path.join(tempDir(t), 'mirror.db'));
  t.teardown(() => store.close());
  const metrics = createMetrics(store, { folders });
  const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, metrics, readiness: () => mirrorReadiness(store, folders) });
  t.teardown(() => server.close());
  return { store, metrics, server };
}

/** What Prometheus 2.x sends by default. */
const prometheusAccept = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

test('GET /metrics serves the Prometheus text format by default', async (t) => {
  const { store, server } = await setup(t);
  commit(store, 'f1', ['ca:1'], 1000);
  t.regex(server.address, /^127\.0\.0\.1:\d+$/);
  const r = await get(server, '/metrics');
  t.is(r.status, 200);
  t.is(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  t.regex(r.body, /^# TYPE redis_backup_mirror_sync_attempts_total counter$/m);
  t.regex(r.body, /^redis_backup_mirror_cluster_backups\{folder_id="f1",source_cluster_id="ca"\} 1$/m);
  t.notRegex(r.body, /# EOF/);
  const withQuery = await get(server, '/metrics?debug=1', { accept: 'text/plain' });
  t.is(withQuery.status, 200);
  t.is(withQuery.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
});

test('OpenMetrics when Accept asks for it, without disturbing later Prometheus-text scrapes', async (t) => {
  const { metrics, server } = await setup(t);
  metrics.recordSkippedTick();
  const om = await get(server, '/metrics', { accept: prometheusAccept });
  t.is(om.status, 200);
  t.is(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  t.true(om.body.endsWith('# EOF\n'));
  t.regex(om.body, /^# TYPE redis_backup_mirror_skipped_ticks counter$/m, 'OpenMetrics names the counter family without _total');
  t.regex(om.body, /^redis_backup_mirror_skipped_ticks_total 1$/m);

  // Interleaved scrapes of both formats each get a consistent exposition.
  const replies = await Promise.all([
    get(server, '/metrics', { accept: 'application/openmetrics-text; version=1.0.0' }),
    get(server, '/metrics'),
    get(server, '/metrics', { accept: prometheusAccept }),
    get(server, '/metrics', { accept: 'text/plain;version=0.0.4' }),
  ]);
  for (const r of replies) {
    if (r.headers['content-type']?.includes('openmetrics') === true) {
      t.regex(r.body, /^# TYPE redis_backup_mirror_skipped_ticks counter$/m);
      t.true(r.body.endsWith('# EOF\n'));
    } else {
      t.regex(r.body, /^# TYPE redis_backup_mirror_skipped_ticks_total counter$/m);
      t.regex(r.body, /^redis_backup_mirror_skipped_ticks_total 1$/m);
      t.regex(r.body, /^# TYPE process_cpu_seconds_total counter$/m);
    }
  }
  t.deepEqual(replies.map((r) => r.headers['content-type']?.includes('openmetrics')), [true, false, true, false]);
});

test('/readyz is 503 naming the folders without a successful pass, then 200; a later failure keeps it ready', async (t) => {
  const { store, server } = await setup(t);
  const before = await get(server, '/readyz');
  t.is(before.status, 503);
  t.is(before.headers['content-type'], 'application/json');
  t.deepEqual(JSON.parse(before.body), { ready: false, folders_not_ready: ['f1', 'f2'] });

  store.recordFailure('f2', 500, 'List failed with UNAVAILABLE', 'p0');
  commit(store, 'f1', ['ca:1'], 1000);
  const half = await get(server, '/readyz');
  t.is(half.status, 503);
  t.deepEqual(JSON.parse(half.body), { ready: false, folders_not_ready: ['f2'] });

  commit(store, 'f2', [], 2000);
  const ready = await get(server, '/readyz');
  t.is(ready.status, 200);
  t.deepEqual(JSON.parse(ready.body), { ready: true });

  store.recordFailure('f1', 3000, 'List failed with UNAVAILABLE', 'p3');
  t.is((await get(server, '/readyz')).status, 200);
});

test('/healthz is 200 ok; other paths 404; other methods 405; HEAD has no body', async (t) => {
  const { server } = await setup(t);
  const health = await get(server, '/healthz');
  t.is(health.status, 200);
  t.is(health.body.trim(), 'ok');
  for (const p of ['/', '/metric', '/metrics/extra', '/favicon.ico']) t.is((await get(server, p)).status, 404, p);
  const post = await get(server, '/metrics', { method: 'POST' });
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');
  const head = await get(server, '/metrics', { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.body, '');
});

test('a scrape that cannot read the mirror is a 500, and the server keeps serving', async (t) => {
  const { store, server } = await setup(t);
  store.close();
  const r = await get(server, '/metrics');
  t.is(r.status, 500);
  t.regex(r.body, /metrics unavailable/);
  t.is((await get(server, '/healthz')).status, 200);
});

test('close() stops listening', async (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'mirror.db'));
  t.teardown(() => store.close());
  const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, metrics: createMetrics(store, { defaultMetrics: false }), readiness: () => ({ ready: true, notReady: [] }) });
  t.is((await get(server, '/healthz')).status, 200);
  await server.close();
  await t.throwsAsync(get(server, '/healthz'), { code: 'ECONNREFUSED' });
});

test('a port in use is an error naming the address', async (t) => {
  const { server, metrics } = await setup(t);
  const error = await t.throwsAsync(startMetricsServer({ listen: { host: '127.0.0.1', port: server.port }, metrics, readiness: () => ({ ready: true, notReady: [] }) }));
  t.regex(error.message, new RegExp(`127\\.0\\.0\\.1:${server.port}`));
});

test('renders started together each get the format they asked for', async (t) => {
  const { metrics } = await setup(t);
  const [om, text, om2, text2] = await Promise.all([
    metrics.render('openmetrics'),
    metrics.render('prometheus'),
    metrics.render('openmetrics'),
    metrics.render('prometheus'),
  ]);
  for (const r of [om, om2]) {
    t.is(r.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    t.true(r.body.endsWith('# EOF\n'));
  }
  for (const r of [text, text2]) {
    t.is(r.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    t.regex(r.body, /^# TYPE redis_backup_mirror_sync_attempts_total counter$/m);
    t.notRegex(r.body, /# EOF/);
  }
});
