import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { createMetrics } from '../src/metrics/create-metrics.js';
import { startMetricsServer } from '../src/metrics/metrics-server.js';
import { mirrorReadiness } from '../src/metrics/readiness.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { makeBackup } from './helpers/make-backup.js';
import { tempDir } from './helpers/temp-dir.js';

// The monitoring kit in config/ checked with Prometheus's own tool. promtool comes from
// the Debian package `prometheus` (`apt-get install -y prometheus`); CI installs it, so a
// missing promtool fails these tests instead of skipping them.

const root = path.join(import.meta.dirname, '..');
const kit = path.join(root, 'config', 'prometheus');
const dashboardFile = path.join(root, 'config', 'grafana', 'redis-backup-mirror.json');
const missing = 'promtool not found on PATH: install it with `apt-get update && apt-get install -y prometheus` (Debian package, provides /usr/bin/promtool)';

interface Run {
  code: number | null;
  output: string;
}

function promtool(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { cwd: kit, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(missing) : err));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input ?? '');
  });
}

async function passes(t: ExecutionContext, args: string[], input?: string): Promise<string> {
  const run = await promtool(args, input);
  t.is(run.code, 0, `promtool ${args.join(' ')}:\n${run.output}`);
  return run.output;
}

function httpGet(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${urlPath}: ${res.statusCode ?? 0}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A live /metrics scrape of a daemon-like setup: a few backups in two folders, passes, upstream calls. */
async function liveScrape(t: ExecutionContext): Promise<string> {
  const store = MirrorStore.open(path.join(tempDir(t), 'mirror.db'));
  t.teardown(() => store.close());
  const folders = ['b1gfolder1', 'b1gfolder2', 'b1gfolder3'];
  const metrics = createMetrics(store, { folders });
  for (const [i, folder] of folders.slice(0, 2).entries()) {
    const stage = store.beginListing(folder);
    stage.add([0, 1, 2].flatMap((c) => [1, 2].map((n) => makeBackup(`c9q${i}${c}:${n}`, folder, { createdAt: { seconds: 1_764_000_000 + n * 86_400, nanos: 5 } }))));
    const applied = store.commitPass(stage, `p${i}`, Date.now());
    stage.dispose();
    metrics.recordPass({ folderId: folder, passId: `p${i}`, ok: true, ...applied, duplicates: 0, unconfirmedRemovals: 0, pages: 1, durationMs: 420, error: null });
  }
  store.recordFailure('b1gfolder3', Date.now(), 'List failed with PERMISSION_DENIED', 'p3');
  metrics.recordUpstreamCall({ method: 'List', code: 'OK', durationSeconds: 0.012 });
  metrics.recordUpstreamCall({ method: 'List', code: 'PERMISSION_DENIED', durationSeconds: 0.003 });
  metrics.recordSkippedTick();
  const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, metrics, readiness: () => mirrorReadiness(store, folders) });
  t.teardown(() => server.close());
  return httpGet(server.port, '/metrics');
}

interface Dashboard {
  uid: string;
  panels: { title: string; type: string; targets?: { expr: string; refId: string }[] }[];
}

function dashboardExprs(): { name: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
  return dashboard.panels.flatMap((panel, i) => (panel.targets ?? []).map((target) => ({ name: `dashboard:panel_${i}_${target.refId}`, expr: target.expr })));
}

function alertExprs(): string[] {
  const rules = parse(readFileSync(path.join(kit, 'alerts.yml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  return rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
}

test('promtool is installed', async (t) => {
  const run = await promtool(['--version']);
  t.is(run.code, 0, missing);
});

test('the alert rules pass promtool check rules', async (t) => {
  t.regex(await passes(t, ['check', 'rules', 'alerts.yml']), /SUCCESS: 6 rules found/);
});

test('the alert rules pass their promtool unit tests (each alert firing and not firing)', async (t) => {
  t.regex(await passes(t, ['test', 'rules', 'alerts.test.yml']), /SUCCESS/);
});

test('the example scrape config is a valid Prometheus config loading the rules, with the job the alerts expect', async (t) => {
  t.regex(await passes(t, ['check', 'config', 'scrape.yml']), /SUCCESS: 1 rule files found/);
  const config = parse(readFileSync(path.join(kit, 'scrape.yml'), 'utf8')) as { scrape_configs: { job_name: string }[] };
  const jobs = config.scrape_configs.map((c) => c.job_name);
  t.deepEqual(jobs, ['redis-backup-mirror']);
  for (const expr of alertExprs()) {
    for (const m of expr.matchAll(/job="([^"]*)"/g)) t.true(jobs.includes(m[1] ?? ''), `alerts.yml names job ${m[1] ?? ''}`);
  }
});

test('a live /metrics scrape passes promtool check metrics (naming conventions, help, types)', async (t) => {
  const body = await liveScrape(t);
  t.regex(body, /^redis_backup_mirror_cluster_newest_backup_timestamp_seconds\{/m, 'the scrape is not empty');
  t.regex(body, /^redis_backup_mirror_upstream_request_duration_seconds_bucket\{/m);
  const output = await passes(t, ['check', 'metrics'], body);
  t.is(output.trim(), '', 'no lint findings');
});

test('every dashboard query is valid PromQL', async (t) => {
  const exprs = dashboardExprs();
  t.true(exprs.length >= 10);
  // Grafana's variables become what they stand for, so promtool can parse the queries.
  const rules = {
    groups: [
      {
        name: 'dashboard',
        rules: exprs.map(({ name, expr }) => ({ record: name, expr: expr.replaceAll('$__rate_interval', '5m').replace(/\$(job|instance|folder)\b/g, '.*') })),
      },
    ],
  };
  const file = path.join(tempDir(t), 'dashboard-rules.yml');
  writeFileSync(file, stringify(rules));
  t.regex(await passes(t, ['check', 'rules', file]), new RegExp(`SUCCESS: ${exprs.length} rules found`));
});

test('the dashboard and the alerts only use metric names the mirror exports', async (t) => {
  const body = await liveScrape(t);
  const exported = new Set([...body.matchAll(/^([a-zA-Z_:][\w:]*)[{ ]/gm)].map((m) => m[1] ?? ''));
  const used = new Set<string>();
  for (const expr of [...dashboardExprs().map((e) => e.expr), ...alertExprs()]) {
    for (const m of expr.matchAll(/\b(redis_backup_mirror_[a-z_]+|process_[a-z_]+)\b/g)) used.add(m[1] ?? '');
  }
  t.true(used.size >= 10);
  for (const name of used) t.true(exported.has(name), `${name} is used but not exported`);
  const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;
  t.is(dashboard.uid, 'redis-backup-mirror');
  t.true(dashboard.panels.some((p) => p.targets?.some((target) => target.expr.includes('time() - max by (folder_id, source_cluster_id) (redis_backup_mirror_cluster_newest_backup_timestamp_seconds'))));
});
