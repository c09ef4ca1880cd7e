import { randomBytes } from 'node:crypto';
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { startFacade } from '../src/facade/start-facade.js';
import { silentLogger } from '../src/log/logger.js';
import { backupFromWire } from '../src/upstream/backup-codec.js';
import { backupServiceClientConstructor, type WireBackup, type WireListBackupsResponse } from '../src/upstream/proto.js';
import { facadeFixture, unary, type FacadeFixture } from './helpers/facade-fixture.js';

async function listAll(client: grpc.Client, folder: string, pageSize: number): Promise<{ backups: WireBackup[]; pages: number }> {
  const backups: WireBackup[] = [];
  let token = '';
  let pages = 0;
  do {
    const r = await unary<WireListBackupsResponse>(client, 'List', { folder_id: folder, page_size: pageSize, page_token: token });
    if (r.value === undefined) throw new Error(`List failed: ${r.error?.message ?? ''}`);
    pages++;
    backups.push(...r.value.backups);
    token = r.value.next_page_token;
    if (token.length > 100) throw new Error(`token of ${token.length} chars`);
  } while (token !== '');
  return { backups, pages };
}

// ava's deepEqual is slow on thousands of objects; compare canonical JSON lines instead.
function lines(items: readonly unknown[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n');
}

function mirrorIds(fx: FacadeFixture, folder: string): Set<string> {
  return new Set(fx.reader.backups.list(folder, null, 1_000_000).map((b) => b.id));
}

test('paging a 2,500-backup folder at page sizes 0, 1, 7 and 1000 returns exactly the mirror', async (t) => {
  t.timeout(180_000); // thousands of calls; slow when the machine is shared
  const fx = await facadeFixture(t, { emulator: { folders: 1, clustersPerFolder: 358 } });
  const folder = fx.emulator.folderIds[0] ?? '';
  const mirror = fx.reader.backups.list(folder, null, 1_000_000);
  t.true(mirror.length >= 2500, `folder has ${mirror.length} backups`);
  const client = fx.backupClient();
  for (const size of [0, 1, 7, 1000]) {
    const { backups, pages } = await listAll(client, folder, size);
    const effective = size === 0 ? 100 : size;
    t.is(pages, Math.ceil(mirror.length / effective), `page size ${size}: no trailing empty page`);
    t.is(lines(backups.map(backupFromWire)), lines(mirror), `page size ${size}`);
  }
});

test('paging while passes commit: no duplicates, nothing present throughout is skipped', async (t) => {
  t.timeout(180_000); // thousands of calls; slow when the machine is shared
  const fx = await facadeFixture(t, { emulator: { folders: 1, clustersPerFolder: 80 } });
  const folder = fx.emulator.folderIds[0] ?? '';
  const client = fx.backupClient();
  const snapshots = [mirrorIds(fx, folder)];
  const passAt = new Set([3, 20, 40, 60, 80]);
  let pass: Promise<void> = Promise.resolve();
  let changes = 0;
  const startPass = async (): Promise<void> => {
    fx.emulator.clock.advance(dayMs);
    const [outcome] = await fx.sync([folder]);
    changes += (outcome?.added ?? 0) + (outcome?.removed ?? 0);
    snapshots.push(mirrorIds(fx, folder));
  };

  const seen: string[] = [];
  let token = '';
  let page = 0;
  do {
    if (passAt.has(page)) {
      await pass;
      pass = startPass(); // not awaited: it lists upstream and commits while we keep paging
    }
    const r = await unary<WireListBackupsResponse>(client, 'List', { folder_id: folder, page_size: 3, page_token: token });
    if (r.value === undefined) throw new Error(`List failed: ${r.error?.message ?? ''}`);
    seen.push(...r.value.backups.map((b) => b.id));
    token = r.value.next_page_token;
    page++;
  } while (token !== '');
  await pass;

  t.true(changes > 0, 'the passes changed the folder');
  t.true(snapshots.length > 2, 'passes committed during paging');
  t.is(new Set(seen).size, seen.length, 'no backup twice');
  t.true(seen.every((id, i) => i === 0 || (seen[i - 1] ?? '') < id), 'keyset order');
  const throughout = [...(snapshots[0] ?? [])].filter((id) => snapshots.every((s) => s.has(id)));
  const got = new Set(seen);
  t.deepEqual(throughout.filter((id) => !got.has(id)), [], 'nothing present for the whole paging is skipped');
  t.true(seen.every((id) => snapshots.some((s) => s.has(id))), 'nothing that never existed');
});

test('forged, corrupted, truncated and foreign page tokens are INVALID_ARGUMENT naming page_token', async (t) => {
  const fx = await facadeFixture(t, { emulator: { folders: 2, clustersPerFolder: 20 } });
  const [a = '', b = ''] = fx.emulator.folderIds;
  const client = fx.backupClient();
  const first = await unary<WireListBackupsResponse>(client, 'List', { folder_id: a, page_size: 10 });
  const token = first.value?.next_page_token ?? '';
  t.true(token.length > 0);
  t.is((await unary(client, 'List', { folder_id: a, page_size: 10, page_token: token })).error, undefined, 'the real token works');

  const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const bad = [
    ['forged', randomBytes(49).toString('base64url')],
    ['corrupted id', flip(token, 5)],
    ['corrupted mac', flip(token, token.length - 2)],
    ['truncated', token.slice(0, -4)],
    ['not base64url', `${token.slice(0, -1)}*`],
  ] as const;
  for (const [what, forged] of bad) {
    const r = await unary(client, 'List', { folder_id: a, page_size: 10, page_token: forged });
    t.is(r.error?.code, grpc.status.INVALID_ARGUMENT, what);
    t.regex(r.error?.details ?? '', /^page_token:/, what);
  }
  const foreign = await unary(client, 'List', { folder_id: b, page_size: 10, page_token: token });
  t.is(foreign.error?.code, grpc.status.INVALID_ARGUMENT, 'a token is only good for its own folder');
});

test('tokens are keyed: another key refuses them, the same key (a restart with a configured key) accepts them', async (t) => {
  const key = randomBytes(32);
  const fx = await facadeFixture(t, { emulator: { folders: 1, clustersPerFolder: 20 }, facade: { pageTokenKey: key } });
  const folder = fx.emulator.folderIds[0] ?? '';
  const first = await unary<WireListBackupsResponse>(fx.backupClient(), 'List', { folder_id: folder, page_size: 10 });
  const token = first.value?.next_page_token ?? '';
  const Client = backupServiceClientConstructor();
  for (const [pageTokenKey, code] of [
    [key, undefined],
    [randomBytes(32), grpc.status.INVALID_ARGUMENT],
  ] as const) {
    const other = await startFacade({ listen: { host: '127.0.0.1', port: 0 }, tls: null, store: fx.reader, folders: fx.folders, commits: fx.commits, logger: silentLogger, pageTokenKey });
    const client = new Client(other.address, grpc.credentials.createInsecure());
    const r = await unary<WireListBackupsResponse>(client, 'List', { folder_id: folder, page_size: 10, page_token: token });
    client.close();
    await other.close(100);
    t.is(r.error?.code, code);
  }
});
