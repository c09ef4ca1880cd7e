import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { backupServiceClientConstructor } from '../src/upstream/proto.js';
import type { WireBackup, WireListBackupsResponse } from '../src/upstream/proto.js';
import { startEmulator, type Emulator } from '../src/emulator/start-emulator.js';

type Unary = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: unknown) => void,
) => grpc.ClientUnaryCall;

interface Reply<T> {
  value: T | undefined;
  error: grpc.ServiceError | undefined;
}

function call<T>(
  client: grpc.Client,
  method: 'List' | 'Get',
  req: unknown,
  opts: grpc.CallOptions = { deadline: Date.now() + 5000 },
  onCall?: (c: grpc.ClientUnaryCall) => void,
): Promise<Reply<T>> {
  const fn = (client as unknown as Record<string, Unary>)[method];
  if (fn === undefined) throw new Error(`no method ${method}`);
  return new Promise((resolve) => {
    const c = fn.call(client, req, new grpc.Metadata(), opts, (err, res) => {
      resolve({ value: err === null ? (res as T) : undefined, error: err ?? undefined });
    });
    onCall?.(c);
  });
}

async function page(client: grpc.Client, folder_id: string, page_size: number, page_token = ''): Promise<WireListBackupsResponse> {
  const reply = await call<WireListBackupsResponse>(client, 'List', { folder_id, page_size, page_token });
  if (reply.value === undefined) throw new Error(`List failed: ${reply.error?.message ?? ''}`);
  return reply.value;
}

/** Pages through a folder, returning each page's ids and the token that requested it. */
async function walk(client: grpc.Client, folder: string, size: number, maxPages = 100): Promise<{ pages: string[][]; tokens: string[] }> {
  const pages: string[][] = [];
  const tokens: string[] = [];
  let token = '';
  do {
    tokens.push(token);
    const p = await page(client, folder, size, token);
    pages.push(p.backups.map((b) => b.id));
    token = p.next_page_token;
  } while (token !== '' && pages.length < maxPages);
  return { pages, tokens };
}

async function withEmulator(body: (emulator: Emulator, client: grpc.Client, folder: string, truth: string[]) => Promise<void>): Promise<void> {
  const emulator = await startEmulator({ seed: 21, folders: 2, clustersPerFolder: 4 });
  const Client = backupServiceClientConstructor();
  const client = new Client(emulator.address, grpc.credentials.createInsecure());
  const folder = emulator.folderIds[0] ?? '';
  try {
    await body(emulator, client, folder, [...emulator.catalog.listAll(folder)].map((b) => b.id));
  } finally {
    client.close();
    await emulator.close();
  }
}

test('failPage: page k fails with the code the first n times, then succeeds', async (t) => {
  await withEmulator(async (emulator, client, folder, truth) => {
    emulator.faults.set({ failPage: { page: 1, code: grpc.status.UNAVAILABLE, times: 2 } });
    const first = await page(client, folder, 10);
    for (let i = 0; i < 2; i++) {
      const failed = await call(client, 'List', { folder_id: folder, page_size: 10, page_token: first.next_page_token });
      t.is(failed.error?.code, grpc.status.UNAVAILABLE);
      t.regex(failed.error?.details ?? '', /try again/);
    }
    const { pages } = await walk(client, folder, 10);
    t.deepEqual(pages.flat(), truth);

    emulator.faults.set({ failPage: { page: 0, code: grpc.status.RESOURCE_EXHAUSTED, folderId: folder } });
    t.is((await call(client, 'List', { folder_id: folder, page_size: 10 })).error?.code, grpc.status.RESOURCE_EXHAUSTED);
    t.truthy((await call(client, 'List', { folder_id: emulator.folderIds[1], page_size: 10 })).value, 'other folders unaffected');
    emulator.faults.clear();
    t.truthy((await call(client, 'List', { folder_id: folder, page_size: 10 })).value);
  });
});

test('delay: responses wait, and a cancelled or expired call is dropped', async (t) => {
  await withEmulator(async (emulator, client, folder) => {
    emulator.faults.set({ delayMs: 30 });
    t.is((await page(client, folder, 5)).backups.length, 5);

    emulator.faults.set({ delayMs: 60_000 });
    const expired = await call(client, 'List', { folder_id: folder }, { deadline: Date.now() + 150 });
    t.is(expired.error?.code, grpc.status.DEADLINE_EXCEEDED);
    const cancelled = await call(client, 'Get', { backup_id: 'x' }, {}, (c) => setTimeout(() => c.cancel(), 50));
    t.is(cancelled.error?.code, grpc.status.CANCELLED);
    // The server notices both cancellations (its timers are dropped, nothing is sent).
    while (emulator.stats.cancelledCalls < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    t.is(emulator.stats.cancelledCalls, 2);
    emulator.faults.set({ delayMs: undefined });
    t.is((await page(client, folder, 5)).backups.length, 5);
  });
});

test('duplicate: the last item of page k opens page k+1 too', async (t) => {
  await withEmulator(async (emulator, client, folder, truth) => {
    emulator.faults.set({ duplicate: { page: 1 } });
    const { pages } = await walk(client, folder, 5);
    t.is(pages[2]?.[0], pages[1]?.at(-1));
    t.is(pages.flat().length, truth.length + 1);
    t.deepEqual([...new Set(pages.flat())], truth);
  });
});

test('move: items after page k are skipped by this listing but still exist', async (t) => {
  await withEmulator(async (emulator, client, folder, truth) => {
    emulator.faults.set({ move: { page: 0, count: 2 } });
    const { pages } = await walk(client, folder, 5);
    const missing = truth.slice(5, 7);
    t.deepEqual(pages.flat(), truth.filter((id) => !missing.includes(id)));
    for (const id of missing) {
      const got = await call<WireBackup>(client, 'Get', { backup_id: id });
      t.is(got.value?.id, id);
    }
  });
});

test('loopToken: page k hands back the token of an earlier page', async (t) => {
  await withEmulator(async (emulator, client, folder) => {
    emulator.faults.set({ loopToken: { page: 2 } });
    const self = await walk(client, folder, 3, 4);
    t.is(self.pages.length, 4);
    t.is(self.tokens[3], self.tokens[2], 'page 2 points to itself');
    t.deepEqual(self.pages[3], self.pages[2]);

    emulator.faults.set({ loopToken: { page: 2, toPage: 1, times: 1 } });
    const back = await walk(client, folder, 3);
    t.is(back.tokens[3], back.tokens[1], 'page 2 points back to page 1');
    t.deepEqual(back.pages[3], back.pages[1]);
    t.is(back.pages.flat().length, 28 + 6, 'after one loop the listing completes');
  });
});

test('malformed: page k carries an item with an empty id or a foreign folder_id', async (t) => {
  await withEmulator(async (emulator, client, folder, truth) => {
    emulator.faults.set({ malformed: { page: 1, kind: 'empty-id' } });
    const first = await page(client, folder, 5);
    const second = await page(client, folder, 5, first.next_page_token);
    t.is(second.backups[0]?.id, '');
    t.deepEqual(second.backups.slice(1).map((b) => b.id), truth.slice(5, 10));

    emulator.faults.set({ malformed: { page: 0, kind: 'foreign-folder' } });
    const foreign = await page(client, folder, 5);
    t.is(foreign.backups[0]?.folder_id, emulator.folderIds[1]);
    t.true(foreign.backups.slice(1).every((b) => b.folder_id === folder));
  });
});

test('failGet: Get fails with the code (n times, optionally for some ids)', async (t) => {
  await withEmulator(async (emulator, client, _folder, truth) => {
    const [a = '', b = ''] = truth;
    emulator.faults.set({ failGet: { code: grpc.status.UNAVAILABLE, times: 1 } });
    t.is((await call(client, 'Get', { backup_id: a })).error?.code, grpc.status.UNAVAILABLE);
    t.truthy((await call(client, 'Get', { backup_id: a })).value);

    emulator.faults.set({ failGet: { code: grpc.status.INTERNAL, ids: [b] } });
    t.truthy((await call(client, 'Get', { backup_id: a })).value);
    t.is((await call(client, 'Get', { backup_id: b })).error?.code, grpc.status.INTERNAL);
    emulator.faults.clear();
    t.truthy((await call(client, 'Get', { backup_id: b })).value);
    t.deepEqual(emulator.faults.current, {});
  });
});
