import test, { type ExecutionContext } from 'ava';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as grpc from '@grpc/grpc-js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../src/emulator/start-emulator.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import type { PassOutcome } from '../src/sync/sync-folder.js';
import { syncFolders } from '../src/sync/sync-folders.js';
import { BackupClient } from '../src/upstream/backup-client.js';
import type { CallRecord } from '../src/upstream/call-unary.js';
import { backupServiceDefinition, type WireListBackupsResponse } from '../src/upstream/proto.js';
import { staticTokenProvider, type TokenProvider } from '../src/upstream/token-provider.js';
import { UpstreamError } from '../src/upstream/upstream-error.js';
import { version } from '../src/version.js';
import { mirroredIds } from './helpers/mirror-fixture.js';
import { tempDir } from './helpers/temp-dir.js';

const pageSize = 7;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface RigOptions {
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  readonly backoff?: { initialMs: number; maxMs: number };
  readonly tokens?: TokenProvider;
  readonly emulator?: EmulatorOptions;
}

interface Rig {
  readonly emulator: Emulator;
  readonly store: MirrorStore;
  readonly client: BackupClient;
  readonly folder: string;
  /** Retries the client announced, as (code name, attempt). */
  readonly retries: Array<[string, number]>;
  readonly calls: CallRecord[];
  /** One pass over `folder` (or `folders`), with a pass deadline (default 60 s). */
  pass(folders?: readonly string[], passTimeoutMs?: number): Promise<PassOutcome>;
}

/** A one-folder emulator, a real SQLite mirror and a client with the given retry bounds. */
async function rig(t: ExecutionContext, options: RigOptions = {}): Promise<Rig> {
  const emulator = await startEmulator({ folders: 1, clustersPerFolder: 3, ...options.emulator });
  const store = MirrorStore.open(path.join(tempDir(t), 'mirror.db'));
  const retries: Array<[string, number]> = [];
  const calls: CallRecord[] = [];
  const client = new BackupClient({
    endpoint: emulator.address,
    tls: false,
    caFile: null,
    timeoutMs: options.timeoutMs ?? 5_000,
    retry: {
      maxAttempts: options.maxAttempts ?? 1,
      initialBackoffMs: options.backoff?.initialMs ?? 1,
      maxBackoffMs: options.backoff?.maxMs ?? 5,
    },
    tokens: options.tokens ?? staticTokenProvider(null),
    onCall: (record) => calls.push(record),
    onRetry: (err, attempt) => retries.push([grpc.status[err.code] ?? String(err.code), attempt]),
  });
  t.teardown(async () => {
    client.close();
    store.close();
    await emulator.close();
  });
  const [folder] = emulator.folderIds;
  if (folder === undefined) throw new Error('the emulator has no folder');
  return {
    emulator,
    store,
    client,
    folder,
    retries,
    calls,
    async pass(folders = [folder], passTimeoutMs = 60_000) {
      const [outcome] = await syncFolders(store, client, folders, {
        pageSize,
        confirmRemovals: true,
        concurrency: 1,
        passTimeoutMs,
        signal: new AbortController().signal,
      });
      if (outcome === undefined) throw new Error('no outcome');
      return outcome;
    },
  };
}

/** Mirrors the folder once, then moves the cloud a day on so that a failing pass would have had work. */
async function bootstrapped(t: ExecutionContext, r: Rig): Promise<{ head: number; ids: string[] }> {
  const first = await r.pass();
  t.true(first.ok, first.error ?? '');
  t.true(first.pages >= 3, 'the folder spans several pages');
  r.emulator.clock.advance(dayMs);
  r.emulator.stats.reset();
  r.retries.length = 0;
  return { head: r.store.headSequence(), ids: mirroredIds(r.store, r.folder) };
}

function assertUnchanged(t: ExecutionContext, r: Rig, before: { head: number; ids: string[] }): void {
  t.is(r.store.headSequence(), before.head, 'no event was committed');
  t.deepEqual(mirroredIds(r.store, r.folder), before.ids, 'the mirror is unchanged');
  t.true(r.store.verify().ok);
}

/** A provider handing out `token-0`, then `token-1` after each invalidate(), … */
function countingTokens(): { tokens: TokenProvider; invalidations: () => number } {
  let generation = 0;
  return {
    tokens: { get: () => Promise.resolve(`token-${generation}`), invalidate: () => void (generation += 1), close: () => undefined },
    invalidations: () => generation,
  };
}

const nonRetryable: Array<{ code: grpc.status; hint: (folder: string, endpoint: string) => RegExp }> = [
  { code: grpc.status.PERMISSION_DENIED, hint: (f) => new RegExp(`the service account lacks managed-redis\\.viewer on folder ${f}`) },
  { code: grpc.status.NOT_FOUND, hint: (f, e) => new RegExp(`folder ${f} was not found at ${escape(e)}: check the folder id in "folders"`) },
  { code: grpc.status.INVALID_ARGUMENT, hint: (f) => new RegExp(`the cloud rejected the request for folder ${f}: check the folder id`) },
];

for (const { code, hint } of nonRetryable) {
  const name = grpc.status[code] ?? String(code);
  test(`${name} fails the folder's pass at once with what to fix, despite 5 attempts allowed`, async (t) => {
    const r = await rig(t, { maxAttempts: 5 });
    const before = await bootstrapped(t, r);
    r.emulator.faults.set({ failPage: { page: 0, code } });
    const outcome = await r.pass();
    t.false(outcome.ok);
    const error = outcome.error ?? '';
    t.regex(error, new RegExp(`List failed with ${name}`));
    t.regex(error, hint(r.folder, r.emulator.address));
    t.regex(error, /\[x-request-id [0-9a-f-]{36}, x-server-trace-id [0-9a-f]{16}\]/);
    t.is(r.emulator.stats.calls.List, 1, 'exactly one List call');
    t.is(r.emulator.stats.calls.Get, 0);
    t.deepEqual(r.retries, []);
    t.is(r.store.folderState(r.folder)?.lastError, error, 'the folder state records the reason');
    assertUnchanged(t, r, before);
  });
}

test('UNAUTHENTICATED refreshes the token once and retries once, then fails with what to fix', async (t) => {
  const { tokens, invalidations } = countingTokens();
  const r = await rig(t, { maxAttempts: 5, tokens });
  const before = await bootstrapped(t, r);
  r.emulator.faults.set({ failPage: { page: 0, code: grpc.status.UNAUTHENTICATED } });
  const outcome = await r.pass();
  t.false(outcome.ok);
  t.regex(outcome.error ?? '', /List failed with UNAUTHENTICATED: Token is invalid or has expired/);
  t.regex(outcome.error ?? '', /the IAM token was refused: check upstream\.auth/);
  t.regex(outcome.error ?? '', /x-request-id [0-9a-f-]{36}/);
  t.is(r.emulator.stats.calls.List, 2, 'the call and its one retry');
  t.is(invalidations(), 1, 'one refresh');
  t.is(r.emulator.stats.lastMetadata?.['authorization'], 'Bearer token-1', 'the retry carried the refreshed token');
  t.false((outcome.error ?? '').includes('token-'), 'no token in the message');
  assertUnchanged(t, r, before);
});

test('UNAUTHENTICATED for a revoked token: the refreshed token succeeds and the pass commits', async (t) => {
  const { tokens, invalidations } = countingTokens();
  const r = await rig(t, { tokens, emulator: { acceptToken: (token) => token !== 'token-0' } });
  const outcome = await r.pass();
  t.true(outcome.ok, outcome.error ?? '');
  t.is(invalidations(), 1);
  t.is(r.emulator.stats.calls.List, outcome.pages + 1);
});

test('INVALID_ARGUMENT from the cloud itself (a folder id too long) names the field and the fix', async (t) => {
  const r = await rig(t, { maxAttempts: 5 });
  const folder = 'b1g'.padEnd(51, 'x');
  const outcome = await r.pass([folder]);
  t.false(outcome.ok);
  t.regex(outcome.error ?? '', /INVALID_ARGUMENT: folder_id: must be at most 50 characters/);
  t.regex(outcome.error ?? '', new RegExp(`the cloud rejected the request for folder ${folder}`));
  t.is(r.emulator.stats.calls.List, 1);
});

const retryable: Array<{ code: grpc.status; fault: (r: Rig) => void; listCalls: number; timeoutMs?: number }> = [
  { code: grpc.status.UNAVAILABLE, fault: (r) => r.emulator.faults.set({ failPage: { page: 1, code: grpc.status.UNAVAILABLE } }), listCalls: 1 + 3 },
  { code: grpc.status.RESOURCE_EXHAUSTED, fault: (r) => r.emulator.faults.set({ failPage: { page: 1, code: grpc.status.RESOURCE_EXHAUSTED } }), listCalls: 1 + 3 },
  { code: grpc.status.INTERNAL, fault: (r) => r.emulator.faults.set({ failPage: { page: 2, code: grpc.status.INTERNAL } }), listCalls: 2 + 3 },
  // The emulator answers later than the client's 1 s deadline: every attempt times out.
  { code: grpc.status.DEADLINE_EXCEEDED, fault: (r) => r.emulator.faults.set({ delayMs: 20_000 }), listCalls: 3, timeoutMs: 1_000 },
];

for (const { code, fault, listCalls, timeoutMs } of retryable) {
  const name = grpc.status[code] ?? String(code);
  test(`${name} is retried up to max_attempts, then the pass fails cleanly saying it gave up`, async (t) => {
    const r = await rig(t, { maxAttempts: 3, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    const before = await bootstrapped(t, r);
    fault(r);
    const outcome = await r.pass();
    t.false(outcome.ok);
    const error = outcome.error ?? '';
    t.regex(error, new RegExp(`List failed with ${name}`));
    t.regex(error, /gave up after 3 attempts/);
    t.regex(error, /x-request-id [0-9a-f-]{36}/);
    t.is(r.emulator.stats.calls.List, listCalls, 'the failing page was asked exactly max_attempts times');
    t.is(r.emulator.stats.calls.Get, 0, 'no removal was confirmed from a partial listing');
    t.deepEqual(r.retries, [
      [name, 1],
      [name, 2],
    ]);
    assertUnchanged(t, r, before);
  });
}

test('a transient failure (two UNAVAILABLE answers) is retried to success within 5 attempts', async (t) => {
  const r = await rig(t, { maxAttempts: 5 });
  await bootstrapped(t, r);
  r.emulator.faults.set({ failPage: { page: 1, code: grpc.status.UNAVAILABLE, times: 2 } });
  const outcome = await r.pass();
  t.true(outcome.ok, outcome.error ?? '');
  t.true(outcome.added > 0 && outcome.removed > 0, 'the day of changes was committed');
  t.is(r.emulator.stats.calls.List, outcome.pages + 2);
  t.deepEqual(r.retries, [
    ['UNAVAILABLE', 1],
    ['UNAVAILABLE', 2],
  ]);
  t.deepEqual(mirroredIds(r.store, r.folder), [...r.emulator.catalog.listAll(r.folder)].map((b) => b.id));
});

test('the pass deadline bounds retries: 100 attempts allowed, the pass gives up when its time is up', async (t) => {
  const r = await rig(t, { maxAttempts: 100, backoff: { initialMs: 50, maxMs: 200 } });
  const before = await bootstrapped(t, r);
  r.emulator.faults.set({ failPage: { page: 0, code: grpc.status.UNAVAILABLE } });
  const outcome = await r.pass([r.folder], 1_000);
  t.false(outcome.ok);
  t.regex(outcome.error ?? '', /^pass aborted: the pass deadline of \d+ ms \(sync\.pass_timeout\) passed$/);
  const calls = r.emulator.stats.calls.List;
  t.true(calls >= 2 && calls < 100, `${calls} List calls`);
  assertUnchanged(t, r, before);
});

test('the pass deadline also cancels a call still in flight, garbage collections notwithstanding', async (t) => {
  const r = await rig(t, { maxAttempts: 5, timeoutMs: 30_000 });
  const before = await bootstrapped(t, r);
  r.emulator.faults.set({ delayMs: 20_000 });
  // A deadline nothing holds on to (AbortSignal.timeout inside AbortSignal.any) is lost to GC.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const collections = [setTimeout(gc, 50), setTimeout(gc, 150)];
  t.teardown(() => collections.forEach(clearTimeout));
  const outcome = await r.pass([r.folder], 300);
  t.false(outcome.ok);
  t.regex(outcome.error ?? '', /^pass aborted: the pass deadline of \d+ ms \(sync\.pass_timeout\) passed$/);
  t.is(r.emulator.stats.calls.List, 1);
  // The emulator sees the cancellation and stops holding the call.
  for (let i = 0; i < 50 && r.emulator.stats.cancelledCalls === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(r.emulator.stats.cancelledCalls, 1);
  assertUnchanged(t, r, before);
});

test('an error carries our x-request-id when the cloud sent none back (a call that timed out)', async (t) => {
  const r = await rig(t, { maxAttempts: 1, timeoutMs: 1_000 });
  await r.client.listPage(r.folder, pageSize, '', new AbortController().signal); // connected
  r.emulator.faults.set({ delayMs: 20_000 });
  const err = await t.throwsAsync(r.client.listPage(r.folder, pageSize, '', new AbortController().signal), { instanceOf: UpstreamError });
  t.is(err.code, grpc.status.DEADLINE_EXCEEDED);
  const sent = r.emulator.stats.lastMetadataByMethod.List?.['x-request-id'];
  t.regex(sent ?? '', uuid);
  t.is(err.requestId, sent ?? 'none sent');
  t.true(err.message.includes(`[x-request-id ${sent ?? ''}]`), err.message);
});

test('the user-agent names redis-backup-mirror and its version, on List and Get alike', async (t) => {
  const r = await rig(t);
  await r.pass();
  r.emulator.clock.advance(dayMs); // so that the next pass confirms removals with Get
  const outcome = await r.pass();
  t.true(outcome.ok && outcome.removed > 0);
  const product = new RegExp(`^redis-backup-mirror/${escape(version)}( |$)`);
  t.regex(r.emulator.stats.lastMetadataByMethod.List?.['user-agent'] ?? '', product);
  t.regex(r.emulator.stats.lastMetadataByMethod.Get?.['user-agent'] ?? '', product);
  t.regex(r.emulator.stats.lastUserAgent ?? '', product);
});

/** A bare BackupService that records every call's metadata and answers as `answer` says. */
async function recordingServer(
  t: ExecutionContext,
  answer: (n: number, method: 'List' | 'Get') => grpc.status,
  details: (n: number, metadata: grpc.Metadata) => string = (n) => `refused call ${n}`,
): Promise<{ address: string; seen: grpc.Metadata[] }> {
  const seen: grpc.Metadata[] = [];
  const server = new grpc.Server();
  const handler =
    (method: 'List' | 'Get') =>
    (call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<WireListBackupsResponse>): void => {
      seen.push(call.metadata);
      const code = answer(seen.length, method);
      if (code === grpc.status.OK) done(null, { backups: [], next_page_token: '' });
      else done({ code, details: details(seen.length, call.metadata) });
    };
  server.addService(backupServiceDefinition(), { List: handler('List'), Get: handler('Get') });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err))),
  );
  t.teardown(() => server.forceShutdown());
  return { address: `127.0.0.1:${port}`, seen };
}

test("every call, retries included, sends its own x-request-id; an error carries the failed call's id", async (t) => {
  let failFrom = Number.POSITIVE_INFINITY;
  // List: calls 1-2 UNAVAILABLE (retried), then OK. Get: NOT_FOUND. From `failFrom` on: PERMISSION_DENIED.
  // The server sends no x-request-id back, so errors carry ours.
  const server = await recordingServer(t, (n, method) =>
    n >= failFrom ? grpc.status.PERMISSION_DENIED : method === 'Get' ? grpc.status.NOT_FOUND : n <= 2 ? grpc.status.UNAVAILABLE : grpc.status.OK,
  );
  const calls: CallRecord[] = [];
  const client = new BackupClient({
    endpoint: server.address,
    tls: false,
    caFile: null,
    timeoutMs: 5_000,
    retry: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 5 },
    tokens: staticTokenProvider('t1.static'),
    onCall: (record) => calls.push(record),
  });
  t.teardown(() => client.close());
  const signal = new AbortController().signal;
  t.deepEqual(await client.listPage('b1gfolder', 10, '', signal), { backups: [], nextPageToken: '' });
  for (let i = 0; i < 3; i++) t.is(await client.get(`c9qgone:2026010${i}T000000`, signal), null, 'NOT_FOUND on Get means removed');
  await client.listPage('b1gfolder', 10, '', signal);
  failFrom = server.seen.length + 1;
  const err = await t.throwsAsync(client.listPage('b1gfolder', 10, '', signal), { instanceOf: UpstreamError });

  const ids = server.seen.map((md) => String(md.get('x-request-id')[0] ?? ''));
  t.is(ids.length, 8);
  for (const id of ids) t.regex(id, uuid);
  t.is(new Set(ids).size, ids.length, 'all x-request-ids differ');
  t.deepEqual(
    calls.map((c) => `${c.method} ${c.code}`),
    ['List UNAVAILABLE', 'List UNAVAILABLE', 'List OK', 'Get NOT_FOUND', 'Get NOT_FOUND', 'Get NOT_FOUND', 'List OK', 'List PERMISSION_DENIED'],
    'every call was reported',
  );
  for (const md of server.seen) {
    t.deepEqual(md.get('authorization'), ['Bearer t1.static']);
    t.regex(String(md.get('user-agent')[0] ?? ''), new RegExp(`^redis-backup-mirror/${escape(version)}`));
  }
  t.is(err.requestId, ids.at(-1) ?? 'none', 'the error names the id of the call that failed');
  t.true(err.message.includes(`[x-request-id ${ids.at(-1) ?? ''}]`), err.message);
  t.regex(err.message, /PERMISSION_DENIED.*managed-redis\.viewer on folder b1gfolder/);
  t.false(err.message.includes('t1.static'));
});

test('an error never repeats the bearer token, even from a server that echoes it back', async (t) => {
  const token = 't1.9euelZrLmJWTk5KSx5qQnM6Tj4yYzO3rnpWazY2Sx5eczZ3JlJfPk5I';
  const server = await recordingServer(
    t,
    () => grpc.status.PERMISSION_DENIED,
    (_n, md) => `no access for "${String(md.get('authorization')[0] ?? '')}" to folder b1gfolder`,
  );
  const client = new BackupClient({
    endpoint: server.address,
    tls: false,
    caFile: null,
    timeoutMs: 5_000,
    retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 5 },
    tokens: staticTokenProvider(token),
  });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(client.listPage('b1gfolder', 10, '', new AbortController().signal), { instanceOf: UpstreamError });
  t.deepEqual(server.seen[0]?.get('authorization'), [`Bearer ${token}`], 'the server did get the token');
  t.false(err.message.includes(token), err.message);
  t.false(err.details.includes(token), err.details);
  t.regex(err.message, /PERMISSION_DENIED: no access for .* to folder b1gfolder/);
});
