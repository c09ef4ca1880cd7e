import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Backup } from '../../src/mirror/backup.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { startMetricsServer } from '../../src/metrics/metrics-server.js';
import { mirrorReadiness } from '../../src/metrics/readiness.js';
import { MirrorStore } from '../../src/store/mirror-store.js';

const folders = ['b1gbenchfolder000001', 'b1gbenchfolder000002', 'b1gbenchfolder000003'];
const clusters = 1000;
const backupsPerCluster = 7;
const scrapes = 50;
const warmup = 5;
const day = 86_400;

/** Cluster `c`'s daily backups, newest first; `shift` days later for a re-pass (the oldest expires, a new one appears). */
function clusterBackups(folderId: string, c: number, shift: number): Backup[] {
  const clusterId = `c9qbench${String(c).padStart(6, '0')}`;
  return Array.from({ length: backupsPerCluster }, (_, k) => {
    const n = shift + k;
    const seconds = 1_764_000_000 + n * day + c;
    return {
      id: `${clusterId}:${String(n).padStart(4, '0')}`,
      folderId,
      createdAt: { seconds, nanos: 250_000_000 },
      sourceClusterId: clusterId,
      startedAt: { seconds: seconds - 600, nanos: 0 },
      sourceShardNames: ['shard1'],
      type: 1,
    };
  });
}

/** One pass per folder through the store's real path; clusters spread round-robin over the folders. */
function mirrorAll(store: MirrorStore, shift: number, at: number): void {
  for (const [f, folderId] of folders.entries()) {
    const stage = store.beginListing(folderId);
    try {
      for (let c = f; c < clusters; c += folders.length) stage.add(clusterBackups(folderId, c, shift));
      store.commitPass(stage, `bench-${shift}-${f}`, at);
    } finally {
      stage.dispose();
    }
  }
}

/** One GET over a kept-alive connection, as Prometheus scrapes; the body is read in full. */
function scrape(agent: Agent, url: string, accept?: string): Promise<{ ms: number; bytes: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = get(url, { agent, headers: accept === undefined ? {} : { accept } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode ?? 0}`));
        else resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function series(agent: Agent, url: string, n: number, accept?: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push((await scrape(agent, url, accept)).ms);
  return times.sort((a, b) => a - b);
}

/**
 * Issue 3's scrape benchmark: GET /metrics over real HTTP with 1000 clusters x 7 backups
 * mirrored across 3 folders. Reports the first scrape (per-cluster figures not cached yet),
 * the median and p99 of 50 more (after 5 uncounted warm-up scrapes) against the < 50 ms
 * target, and the first scrape after a pass changed the mirror (the per-cluster query runs
 * again). Figures are wall-clock: a busy machine inflates the tail.
 */
export async function metricsBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rbm-metrics-bench-'));
  const store = MirrorStore.open(path.join(dir, 'mirror.db'));
  try {
    mirrorAll(store, 0, Date.now());
    const metrics = createMetrics(store, { folders });
    const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, metrics, readiness: () => mirrorReadiness(store, folders) });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `http://${server.address}/metrics`;
      // Open the kept-alive connection first, so the first scrape measures the metrics.
      await scrape(agent, `http://${server.address}/healthz`);
      const first = await scrape(agent, url);
      await series(agent, url, warmup); // JIT warm-up, not counted
      const cpuBefore = process.cpuUsage();
      const warm = await series(agent, url, scrapes);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerScrape = (cpu.user + cpu.system) / 1000 / scrapes;
      const renders: number[] = [];
      for (let i = 0; i < scrapes; i++) {
        const start = process.hrtime.bigint();
        await metrics.render('prometheus');
        renders.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      renders.sort((a, b) => a - b);
      mirrorAll(store, 1, Date.now());
      const afterPass = await scrape(agent, url);
      const om = await series(agent, url, scrapes, 'application/openmetrics-text;version=1.0.0');
      const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
      const p50 = percentile(warm, 50);
      const p99 = percentile(warm, 99);
      console.log(`metrics: /metrics with ${clusters} clusters x ${backupsPerCluster} backups in ${folders.length} folders, ${(first.bytes / 1024).toFixed(0)} KiB per scrape`);
      console.log(`metrics: first scrape (per-cluster figures computed): ${fmt(first.ms)}`);
      console.log(`metrics: ${scrapes} scrapes: median ${fmt(p50)}, p99 ${fmt(p99)} (target < 50 ms) ${p99 < 50 ? 'ok' : 'OVER TARGET'}`);
      console.log(`metrics: rendering alone (no HTTP): median ${fmt(percentile(renders, 50))}, p99 ${fmt(percentile(renders, 99))}`);
      console.log(`metrics: CPU per scrape (server and client, this process): ${fmt(cpuMsPerScrape)}; load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${availableParallelism()} CPUs`);
      console.log(`metrics: first scrape after a pass changed the mirror: ${fmt(afterPass.ms)}`);
      console.log(`metrics: ${scrapes} OpenMetrics scrapes: median ${fmt(percentile(om, 50))}, p99 ${fmt(percentile(om, 99))}`);
    } finally {
      agent.destroy();
      await server.close();
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
