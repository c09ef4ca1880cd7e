// Issue 4's facade benchmark: the facade against a bare grpc-js server answering a constant
// response object of the same shape, one load generator (this process, concurrency 16, no
// response decoding), each server in its own child process that reports its own CPU time.
// Also Get p99 while a 100k-backup pass commits in a worker thread of the facade's process
// (as the daemon's sync thread would). ~1 minute. Alone: `npx tsx test/bench/facade-bench.ts`.
//
// The file plays three roles: the bench (facadeBench), the server child process
// (--facade-bench-child) and the writer worker (workerData.role === 'writer').
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import { startFacade, type Facade } from '../../src/facade/start-facade.js';
import { silentLogger } from '../../src/log/logger.js';
import { CommitSignal } from '../../src/mirror/commit-signal.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { backupToWire } from '../../src/upstream/backup-codec.js';
import { backupServiceDefinition, type WireListBackupsResponse } from '../../src/upstream/proto.js';
import { syntheticBackup, syntheticPages } from './synthetic-pages.js';

const servedFolder = 'b1gbenchfacade000000';
const commitFolder = 'b1gbenchcommit000000';
const servedBackups = 10_000;
const committedBackups = 100_000;
const concurrency = 16;
const warmupMs = 1000;
const measureMs = 3000;
/** Rounds of each bare/facade comparison; figures are their means. */
const rounds = 2;
const thisFile = fileURLToPath(import.meta.url);
const LIST = '/yandex.cloud.mdb.redis.v1.BackupService/List';

/** Wall-clock ms with sub-ms precision, comparable across processes. */
const wallNow = (): number => performance.timeOrigin + performance.now();

// ---------- messages between the bench and its server child ----------
type ToChild =
  | { cmd: 'start'; kind: 'bare' | 'facade'; db: string }
  | { cmd: 'cpu' }
  | { cmd: 'commit'; db: string; folder: string }
  | { cmd: 'stop' };
type FromChild =
  | { kind: 'started'; address: string }
  | { kind: 'cpu'; micros: number; loopDelayP99Ms: number; loopDelayMaxMs: number }
  | { kind: 'committed'; passStart: number; commitStart: number; commitEnd: number; maxLoopDelayMs?: number; p99LoopDelayMs?: number }
  | { kind: 'stopped' }
  | { kind: 'failed'; error: string };

// ---------- writer worker: one 100k-backup pass through its own connection ----------
function runWriter(db: string, folder: string): void {
  const store = MirrorStore.open(db);
  const passStart = wallNow();
  const stage = store.beginListing(folder);
  for (const page of syntheticPages(folder, committedBackups, 1000)) stage.add(page);
  const commitStart = wallNow();
  store.commitPass(stage, 'bench-commit', Date.now());
  const commitEnd = wallNow();
  stage.dispose();
  store.close();
  parentPort?.postMessage({ kind: 'committed', passStart, commitStart, commitEnd } satisfies FromChild);
}

// ---------- server child ----------
function bareHandlers(): grpc.UntypedServiceImplementation {
  const backup = backupToWire(syntheticBackup(servedFolder, 1));
  const page: WireListBackupsResponse = {
    backups: Array.from({ length: 1000 }, (_, i) => backupToWire(syntheticBackup(servedFolder, i))),
    next_page_token: 'A'.repeat(66),
  };
  return {
    Get: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, backup),
    List: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, page),
  };
}

async function runChild(): Promise<void> {
  const send = (m: FromChild): void => {
    process.send?.(m);
  };
  let facade: Facade | undefined;
  let bare: grpc.Server | undefined;
  let store: MirrorStore | undefined;
  const commits = new CommitSignal();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.cmd === 'start' && m.kind === 'bare') {
        bare = new grpc.Server();
        bare.addService(backupServiceDefinition(), bareHandlers());
        const port = await new Promise<number>((resolve, reject) =>
          bare?.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))),
        );
        send({ kind: 'started', address: `127.0.0.1:${port}` });
      } else if (m.cmd === 'start') {
        store = MirrorStore.open(m.db);
        facade = await startFacade({ listen: { host: '127.0.0.1', port: 0 }, tls: null, store, folders: [servedFolder, commitFolder], commits, logger: silentLogger });
        send({ kind: 'started', address: facade.address });
      } else if (m.cmd === 'cpu') {
        const u = process.cpuUsage();
        // Event-loop delay since the previous reading.
        send({ kind: 'cpu', micros: u.user + u.system, loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6 });
        loopDelay.reset();
      } else if (m.cmd === 'commit') {
        // The daemon's sync thread: a worker running TypeScript through tsx.
        const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(thisFile).href)}); })`, {
          eval: true,
          workerData: { role: 'writer', db: m.db, folder: m.folder },
        });
        loopDelay.reset();
        worker.once('error', (err) => send({ kind: 'failed', error: err.message }));
        worker.once('message', (r: FromChild) => {
          if (store !== undefined) commits.publish(store.headSequence());
          send(r.kind === 'committed' ? { ...r, maxLoopDelayMs: loopDelay.max / 1e6, p99LoopDelayMs: loopDelay.percentile(99) / 1e6 } : r);
          void worker.terminate();
        });
      } else if (m.cmd === 'stop') {
        await facade?.close(100);
        bare?.forceShutdown();
        store?.close();
        send({ kind: 'stopped' });
        process.disconnect();
      }
    })();
  });
}

// ---------- bench (parent) ----------
class Child {
  private readonly proc: ChildProcess;
  private waiting: ((m: FromChild) => void) | undefined;

  constructor() {
    const root = path.resolve(path.dirname(thisFile), '../..');
    this.proc = spawn(process.execPath, ['--import', 'tsx', thisFile, '--facade-bench-child'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: FromChild) => this.waiting?.(m));
  }

  ask(m: ToChild): Promise<FromChild> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.proc.send(m);
    });
  }

  /** Ends the child if it is still running (after a failure). */
  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill();
  }

  /** The child's CPU time so far, and its event-loop delay since the previous call. */
  async cpu(): Promise<{ micros: number; loopDelayP99Ms: number; loopDelayMaxMs: number }> {
    const r = await this.ask({ cmd: 'cpu' });
    if (r.kind !== 'cpu') throw new Error(`unexpected answer ${r.kind}`);
    return r;
  }
}

interface Sample {
  readonly start: number;
  readonly ms: number;
}

/** Keeps `concurrency` calls in flight for `ms`; requests and responses stay bytes (no decoding). */
async function load(client: grpc.Client, method: string, requests: readonly Buffer[], ms: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const until = performance.now() + ms;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < until) {
      const body = requests[next++ % requests.length] ?? Buffer.alloc(0);
      const start = wallNow();
      await new Promise<void>((resolve, reject) => {
        client.makeUnaryRequest(`/yandex.cloud.mdb.redis.v1.BackupService/${method}`, (b: Buffer) => b, (b: Buffer) => b, body, (err) => (err === null ? resolve() : reject(err)));
      });
      samples.push({ start, ms: wallNow() - start });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return samples;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
}

interface Figures {
  readonly callsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPerCallUs: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
}

async function measure(child: Child, client: grpc.Client, method: string, requests: readonly Buffer[]): Promise<Figures> {
  await load(client, method, requests, warmupMs);
  const cpu0 = await child.cpu();
  const t0 = performance.now();
  const samples = await load(client, method, requests, measureMs);
  const elapsed = performance.now() - t0;
  const cpu1 = await child.cpu();
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    callsPerSec: (samples.length * 1000) / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuPerCallUs: (cpu1.micros - cpu0.micros) / samples.length,
    loopDelayP99: cpu1.loopDelayP99Ms,
    loopDelayMax: cpu1.loopDelayMaxMs,
  };
}

interface CommitFigures {
  readonly commitMs: number;
  readonly passMs: number;
  readonly calls: number;
  /** Get p99 of calls overlapping the commit transaction, and the whole pass (staging too). */
  readonly p99Commit: number;
  readonly p99Pass: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
}

/** Get load while the server's worker thread stages and commits a 100k-backup pass. */
async function measureCommit(child: Child, client: grpc.Client, requests: readonly Buffer[], db: string, folder: string): Promise<CommitFigures> {
  let committed: FromChild | undefined;
  const samples: Sample[] = [];
  const done = child.ask({ cmd: 'commit', db, folder }).then((r) => {
    committed = r;
  });
  while (committed === undefined) samples.push(...(await load(client, 'Get', requests, 250)));
  await done;
  if (committed.kind !== 'committed') throw new Error(`the writer failed: ${committed.kind === 'failed' ? committed.error : committed.kind}`);
  const { passStart, commitStart, commitEnd } = committed;
  const overlapping = (from: number, to: number): number[] =>
    samples
      .filter((s) => s.start <= to && s.start + s.ms >= from)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
  const inCommit = overlapping(commitStart, commitEnd);
  return {
    commitMs: commitEnd - commitStart,
    passMs: commitEnd - passStart,
    calls: inCommit.length,
    p99Commit: percentile(inCommit, 99),
    p99Pass: percentile(overlapping(passStart, commitEnd), 99),
    loopDelayP99: committed.p99LoopDelayMs ?? NaN,
    loopDelayMax: committed.maxLoopDelayMs ?? NaN,
  };
}

function describeCommit(c: CommitFigures): string {
  return `commit ${c.commitMs.toFixed(0)} ms (${c.calls} calls) p99 ${c.p99Commit.toFixed(2)} ms; whole pass incl. staging ${c.passMs.toFixed(0)} ms p99 ${c.p99Pass.toFixed(2)} ms; server event-loop delay p99 ${c.loopDelayP99.toFixed(1)} ms, max ${c.loopDelayMax.toFixed(1)} ms`;
}

function mean(runs: readonly Figures[]): Figures {
  const avg = (pick: (f: Figures) => number): number => runs.reduce((sum, f) => sum + pick(f), 0) / runs.length;
  return {
    callsPerSec: avg((f) => f.callsPerSec),
    p50: avg((f) => f.p50),
    p99: avg((f) => f.p99),
    cpuPerCallUs: avg((f) => f.cpuPerCallUs),
    loopDelayP99: avg((f) => f.loopDelayP99),
    loopDelayMax: Math.max(...runs.map((f) => f.loopDelayMax)),
  };
}

function fillStore(db: string): void {
  const store = MirrorStore.open(db);
  const stage = store.beginListing(servedFolder);
  for (const page of syntheticPages(servedFolder, servedBackups, 1000)) stage.add(page);
  store.commitPass(stage, 'bench-fill', Date.now());
  stage.dispose();
  store.close();
}

function describe(name: string, f: Figures): string {
  return `${name}: ${f.callsPerSec.toFixed(0)} calls/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, server CPU ${f.cpuPerCallUs.toFixed(0)} us/call`;
}

function verdict(ok: boolean): string {
  return ok ? 'ok' : 'MISSED';
}

/** Runs the facade benchmark and prints its figures and ratios against the targets of issue 4. */
export async function facadeBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rbm-facade-bench-'));
  const db = path.join(dir, 'mirror.db');
  const bareChild = new Child();
  const facadeChild = new Child();
  try {
    fillStore(db);
    const bareAt = await bareChild.ask({ cmd: 'start', kind: 'bare', db });
    const facadeAt = await facadeChild.ask({ cmd: 'start', kind: 'facade', db });
    if (bareAt.kind !== 'started' || facadeAt.kind !== 'started') throw new Error('a bench server did not start');
    const bare = new grpc.Client(bareAt.address, grpc.credentials.createInsecure());
    const facade = new grpc.Client(facadeAt.address, grpc.credentials.createInsecure());
    const def = backupServiceDefinition();
    const getRequests = Array.from({ length: 1000 }, (_, i) => def['Get']?.requestSerialize({ backup_id: syntheticBackup(servedFolder, (i * 7919) % servedBackups).id }) ?? Buffer.alloc(0));
    // Every page of the folder in turn, as a client paging through it would ask.
    const listRequest = (page_token: string): Buffer => def['List']?.requestSerialize({ folder_id: servedFolder, page_size: 1000, page_token }) ?? Buffer.alloc(0);
    const decodeList = (b: Buffer): WireListBackupsResponse => def['List']?.responseDeserialize(b) as WireListBackupsResponse;
    const tokens = [''];
    for (;;) {
      const page = await new Promise<WireListBackupsResponse>((resolve, reject) => {
        facade.makeUnaryRequest(LIST, (b: Buffer) => b, decodeList, listRequest(tokens.at(-1) ?? ''), (err, v) =>
          err === null && v !== undefined ? resolve(v) : reject(err ?? new Error('List: no answer')),
        );
      });
      if (page.next_page_token === '') break;
      tokens.push(page.next_page_token);
    }
    const listRequests = tokens.map(listRequest);

    // Bare and facade alternate, so drift on a shared machine hits both alike.
    const runs: Record<'getBare' | 'getFacade' | 'listBare' | 'listFacade', Figures[]> = { getBare: [], getFacade: [], listBare: [], listFacade: [] };
    for (let round = 0; round < rounds; round++) {
      runs.getBare.push(await measure(bareChild, bare, 'Get', getRequests));
      runs.getFacade.push(await measure(facadeChild, facade, 'Get', getRequests));
    }
    for (let round = 0; round < rounds; round++) {
      runs.listBare.push(await measure(bareChild, bare, 'List', listRequests));
      runs.listFacade.push(await measure(facadeChild, facade, 'List', listRequests));
    }
    const getBare = mean(runs.getBare);
    const getFacade = mean(runs.getFacade);
    const listBare = mean(runs.listBare);
    const listFacade = mean(runs.listFacade);

    // Get p99 idle (before and after, averaged: one reading is noisy on a shared machine),
    // and while the server's worker thread runs a 100k-backup pass.
    const idleBefore = await measure(facadeChild, facade, 'Get', getRequests);
    const during = await measureCommit(facadeChild, facade, getRequests, db, commitFolder);
    const idle = mean([idleBefore, await measure(facadeChild, facade, 'Get', getRequests)]);

    bare.close();
    facade.close();
    await bareChild.ask({ cmd: 'stop' });
    await facadeChild.ask({ cmd: 'stop' });

    const r = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
    console.log(describe('facade: Get, bare grpc-js (constant object)', getBare));
    console.log(describe('facade: Get, facade', getFacade));
    console.log(describe('facade: List 1000/page, bare grpc-js (constant object)', listBare));
    console.log(describe('facade: List 1000/page, facade', listFacade));
    console.log(`facade: Get throughput ${r(getFacade.callsPerSec, getBare.callsPerSec)} bare (target >= 0.9x: ${verdict(getFacade.callsPerSec >= 0.9 * getBare.callsPerSec)}); server CPU/call ${r(getFacade.cpuPerCallUs, getBare.cpuPerCallUs)} bare`);
    console.log(`facade: List throughput ${r(listFacade.callsPerSec, listBare.callsPerSec)} bare (target >= 1.0x: ${verdict(listFacade.callsPerSec >= listBare.callsPerSec)}); server CPU/call ${r(listFacade.cpuPerCallUs, listBare.cpuPerCallUs)} bare (target <= 0.5x: ${verdict(listFacade.cpuPerCallUs <= 0.5 * listBare.cpuPerCallUs)})`);
    console.log(`facade: Get idle: p99 ${idle.p99.toFixed(2)} ms; server event-loop delay p99 ${idle.loopDelayP99.toFixed(1)} ms, max ${idle.loopDelayMax.toFixed(1)} ms`);
    console.log(`facade: Get while a ${committedBackups}-backup pass runs in the server's worker thread: ${describeCommit(during)}`);
    console.log(`facade: Get p99 during the commit ${r(during.p99Commit, idle.p99)} idle (target <= 2x: ${verdict(during.p99Commit <= 2 * idle.p99)})`);
  } finally {
    bareChild.kill();
    facadeChild.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'writer') {
  const data = workerData as { db: string; folder: string };
  runWriter(data.db, data.folder);
} else if (process.argv[1] === thisFile) {
  // `tsx test/bench/facade-bench.ts` runs this bench alone.
  if (process.argv.includes('--facade-bench-child')) await runChild();
  else await facadeBench();
}
