import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { ExecutionContext } from 'ava';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/start-emulator.js';
import { mirrorServiceClientConstructor } from '../../src/facade/facade-protos.js';
import { startFacade, type Facade, type FacadeOptions } from '../../src/facade/start-facade.js';
import { silentLogger } from '../../src/log/logger.js';
import { CommitSignal } from '../../src/mirror/commit-signal.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { syncFolders } from '../../src/sync/sync-folders.js';
import type { PassOutcome } from '../../src/sync/sync-folder.js';
import { BackupClient } from '../../src/upstream/backup-client.js';
import { backupServiceClientConstructor } from '../../src/upstream/proto.js';
import { staticTokenProvider } from '../../src/upstream/token-provider.js';
import { tempDir } from './temp-dir.js';

/** A facade over a mirror filled from the emulator: the reader connection serves, a second connection commits passes. */
export interface FacadeFixture {
  readonly emulator: Emulator;
  /** The facade's connection (the daemon's main thread). */
  readonly reader: MirrorStore;
  /** The connection passes commit through (the daemon's sync thread). */
  readonly writer: MirrorStore;
  readonly commits: CommitSignal;
  readonly facade: Facade;
  readonly dbFile: string;
  /** The folders the facade serves. */
  readonly folders: readonly string[];
  /** One pass over `folders` (default: all configured ones that the emulator has), then publishes the head. */
  sync(folders?: readonly string[]): Promise<PassOutcome[]>;
  /** A plain BackupService client (as an official SDK would use). */
  backupClient(credentials?: grpc.ChannelCredentials): grpc.Client;
  mirrorClient(credentials?: grpc.ChannelCredentials): grpc.Client;
}

export interface FixtureOptions {
  readonly emulator?: EmulatorOptions;
  /** Folders to configure besides the emulator's (e.g. one that never syncs). */
  readonly extraFolders?: readonly string[];
  /** Sync every emulator folder before starting the facade (default true). */
  readonly syncFirst?: boolean;
  readonly facade?: Partial<FacadeOptions>;
}

/** Starts emulator, mirror and facade; everything is closed when the test ends. */
export async function facadeFixture(t: ExecutionContext, options: FixtureOptions = {}): Promise<FacadeFixture> {
  const dir = tempDir(t);
  const dbFile = path.join(dir, 'mirror.db');
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 3, ...options.emulator });
  const writer = MirrorStore.open(dbFile);
  const reader = MirrorStore.open(dbFile);
  const upstream = new BackupClient({
    endpoint: emulator.address,
    tls: false,
    caFile: null,
    timeoutMs: 10_000,
    retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 100 },
    tokens: staticTokenProvider(null),
  });
  const commits = new CommitSignal();
  const folders = [...emulator.folderIds, ...(options.extraFolders ?? [])];
  const clients: grpc.Client[] = [];
  const sync = async (which: readonly string[] = emulator.folderIds): Promise<PassOutcome[]> => {
    const outcomes = await syncFolders(writer, upstream, which, {
      pageSize: 1000,
      confirmRemovals: true,
      concurrency: 2,
      passTimeoutMs: 30_000,
      signal: new AbortController().signal,
    });
    commits.publish(writer.headSequence());
    return outcomes;
  };
  if (options.syncFirst ?? true) await sync();
  const facade = await startFacade({
    listen: { host: '127.0.0.1', port: 0 },
    tls: null,
    store: reader,
    folders,
    commits,
    logger: silentLogger,
    ...options.facade,
  });
  t.teardown(async () => {
    for (const c of clients) c.close();
    await facade.close(200);
    upstream.close();
    await emulator.close();
    reader.close();
    writer.close();
  });
  const make = (Ctor: grpc.ServiceClientConstructor, credentials?: grpc.ChannelCredentials): grpc.Client => {
    const client = new Ctor(facade.address, credentials ?? grpc.credentials.createInsecure());
    clients.push(client);
    return client;
  };
  return {
    emulator,
    reader,
    writer,
    commits,
    facade,
    dbFile,
    folders,
    sync,
    backupClient: (credentials) => make(backupServiceClientConstructor(), credentials),
    mirrorClient: (credentials) => make(mirrorServiceClientConstructor(), credentials),
  };
}

/** The result of a unary call: value or error, and the metadata a client can read. */
export interface Reply<T> {
  readonly value: T | undefined;
  readonly error: grpc.ServiceError | undefined;
  /** Initial metadata (success) or the error's trailers. */
  readonly metadata: grpc.Metadata | undefined;
}

type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => grpc.ClientUnaryCall;

/** Calls a unary method by name with a 10 s deadline. */
export function unary<T>(client: grpc.Client, method: string, request: unknown): Promise<Reply<T>> {
  const fn = (client as unknown as Record<string, Unary | undefined>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    const call = fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => {
      resolve({ value: err === null ? (res as T) : undefined, error: err ?? undefined, metadata: err === null ? headers : err.metadata });
    });
    call.on('metadata', (md: grpc.Metadata) => {
      headers = md;
    });
  });
}

/** Raw bytes in, raw bytes out: for calls our protos do not describe and for garbage. */
export function rawUnary(client: grpc.Client, path: string, body: Buffer): Promise<{ error: grpc.ServiceError | null; value: Buffer | undefined }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new grpc.Metadata(),
      { deadline: Date.now() + 10_000 },
      (err, value) => resolve({ error: err, value }),
    );
  });
}

/** Waits until `check` holds, polling every 20 ms; fails after `ms` (a guard against hanging, not a timing assertion). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
