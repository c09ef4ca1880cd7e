import { Worker } from 'node:worker_threads';
import type { CallRecord } from '../upstream/call-unary.js';
import type { PassOutcome } from './sync-folder.js';
import type { FromWorker, SyncWorkerData, ToWorker } from './worker-protocol.js';

/** Callbacks of the engine, called on the main thread. */
export interface SyncEngineEvents {
  /** A folder's pass ended (committed or failed). */
  readonly onOutcome?: (outcome: PassOutcome) => void;
  /** An upstream call ended (metrics). */
  readonly onCall?: (record: CallRecord) => void;
}

/**
 * The worker thread. The build loads the compiled .js beside this file; source runs (tsx:
 * tests, development) must register tsx inside the worker first, which a worker thread
 * does not inherit from its parent's `--import`.
 */
function createWorker(data: SyncWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sync-worker.js', import.meta.url), { workerData: data });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./sync-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true, workerData: data });
}

/**
 * The main thread's handle on the sync worker: starts passes, knows whether one is
 * running, aborts and closes. At most one pass (over all folders) runs at a time.
 */
export class SyncEngine {
  private nextId = 1;
  private running: { id: number; resolve: (o: PassOutcome[]) => void; reject: (e: Error) => void; settled: Promise<unknown> } | null = null;
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly events: SyncEngineEvents,
  ) {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.running?.reject(err));
  }

  /** Starts the worker and waits until it has opened the database and the client. */
  static async start(data: SyncWorkerData, events: SyncEngineEvents = {}): Promise<SyncEngine> {
    const worker = createWorker(data);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker): void => {
        if (m.kind === 'ready') resolve();
        else if (m.kind === 'failed') reject(new Error(m.error));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`sync worker exited with code ${code} while starting`)));
    });
    return new SyncEngine(worker, events);
  }

  /** True while a pass is running. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Runs one pass over every folder; rejects if one is already running. */
  runPass(): Promise<PassOutcome[]> {
    if (this.running !== null) return Promise.reject(new Error('a pass is already running'));
    if (this.closed !== null) return Promise.reject(new Error('the sync engine is closed'));
    const id = this.nextId++;
    let resolve: (o: PassOutcome[]) => void = () => undefined;
    let reject: (e: Error) => void = () => undefined;
    const pass = new Promise<PassOutcome[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.running = { id, resolve, reject, settled: pass.catch(() => undefined) };
    this.send({ kind: 'run', id });
    return pass;
  }

  /** Aborts the running pass, if any: its folders commit nothing. */
  abort(): void {
    this.send({ kind: 'abort' });
  }

  /** Aborts, waits for the running pass to end, closes the worker's database and stops it. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.abort();
      await this.running?.settled;
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.send({ kind: 'close' });
      await exited;
    })();
    return this.closed;
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private onMessage(m: FromWorker): void {
    switch (m.kind) {
      case 'outcome':
        this.events.onOutcome?.(m.outcome);
        return;
      case 'call':
        this.events.onCall?.(m.record);
        return;
      case 'done':
        if (this.running?.id === m.id) {
          const { resolve } = this.running;
          this.running = null;
          resolve(m.outcomes);
        }
        return;
      case 'failed':
        if (this.running !== null) {
          const { reject } = this.running;
          this.running = null;
          reject(new Error(m.error));
        }
        return;
      default:
        return;
    }
  }
}
