import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { startFacade } from '../src/facade/start-facade.js';
import { internalMessage } from '../src/facade/server-error.js';
import type { Logger } from '../src/log/logger.js';
import { backupToWire } from '../src/upstream/backup-codec.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { backupServiceClientConstructor, type WireBackup, type WireListBackupsResponse } from '../src/upstream/proto.js';
import { facadeFixture, rawUnary, unary } from './helpers/facade-fixture.js';

const neverSynced = 'b1gneversynced0000000';

function syncedAt(md: grpc.Metadata | undefined): string | undefined {
  const v = md?.get('x-mirror-synced-at')[0];
  return typeof v === 'string' ? v : undefined;
}

test('Get returns the mirrored backup with x-mirror-synced-at; validation and NOT_FOUND name backup_id', async (t) => {
  const fx = await facadeFixture(t);
  const client = fx.backupClient();
  const folder = fx.emulator.folderIds[0] ?? '';
  const [backup] = fx.reader.backups.list(folder, null, 1);
  if (backup === undefined) throw new Error('the mirror is empty');
  const state = fx.reader.folderState(folder);

  const ok = await unary<WireBackup>(client, 'Get', { backup_id: backup.id });
  t.is(ok.error, undefined);
  t.deepEqual(ok.value, { ...backupToWire(backup), created_at: wireTs(backup.createdAt), started_at: wireTs(backup.startedAt) });
  t.is(syncedAt(ok.metadata), new Date(state?.lastSuccessAt ?? 0).toISOString());
  // RFC 3339 (UTC, 'Z').
  t.regex(syncedAt(ok.metadata) ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

  const again = await unary<WireBackup>(client, 'Get', { backup_id: backup.id });
  t.deepEqual(again.value, ok.value, 'a cached answer is the same answer');

  const empty = await unary(client, 'Get', { backup_id: '' });
  t.is(empty.error?.code, grpc.status.INVALID_ARGUMENT);
  t.regex(empty.error?.details ?? '', /backup_id/);

  const missing = await unary(client, 'Get', { backup_id: 'c9qnosuchcluster0000:20261201T220000' });
  t.is(missing.error?.code, grpc.status.NOT_FOUND);
  t.regex(missing.error?.details ?? '', /backup_id/);

  // What the client sent is echoed only in part: the message travels in a header.
  const huge = await unary(client, 'Get', { backup_id: 'x'.repeat(100_000) });
  t.is(huge.error?.code, grpc.status.NOT_FOUND);
  t.true((huge.error?.details.length ?? Infinity) < 200);
});

function wireTs(ts: { seconds: number; nanos: number } | null): { seconds: number; nanos: number } | null {
  return ts === null ? null : { seconds: ts.seconds, nanos: ts.nanos };
}

test('List validation: the cloud rules, codes and messages naming the field', async (t) => {
  const fx = await facadeFixture(t, { extraFolders: [neverSynced] });
  const client = fx.backupClient();
  const folder = fx.emulator.folderIds[0] ?? '';
  const expectInvalid = async (req: Record<string, unknown>, field: string): Promise<void> => {
    const r = await unary(client, 'List', req);
    t.is(r.error?.code, grpc.status.INVALID_ARGUMENT, JSON.stringify(req));
    t.true(r.error?.details.startsWith(`${field}:`), r.error?.details);
  };
  await expectInvalid({ folder_id: '' }, 'folder_id');
  await expectInvalid({ folder_id: 'x'.repeat(51) }, 'folder_id');
  await expectInvalid({ folder_id: folder, page_size: -1 }, 'page_size');
  await expectInvalid({ folder_id: folder, page_size: 1001 }, 'page_size');
  await expectInvalid({ folder_id: folder, page_token: 'a'.repeat(101) }, 'page_token');
  await expectInvalid({ folder_id: folder, page_token: 'not-a-token' }, 'page_token');

  // Limits are inclusive.
  t.is((await unary(client, 'List', { folder_id: folder, page_size: 1000 })).error, undefined);
  const fifty = await unary(client, 'List', { folder_id: 'y'.repeat(50) });
  t.is(fifty.error?.code, grpc.status.NOT_FOUND, 'a 50-character folder id is valid, just not mirrored');

  const unknown = await unary(client, 'List', { folder_id: 'b1gsomeoneelses' });
  t.is(unknown.error?.code, grpc.status.NOT_FOUND);
  t.regex(unknown.error?.details ?? '', /^folder_id: .*not mirrored/);
  t.is(syncedAt(unknown.metadata), undefined, 'no sync time for a folder we do not mirror');

  const pending = await unary<WireListBackupsResponse>(client, 'List', { folder_id: neverSynced });
  t.is(pending.error?.code, grpc.status.UNAVAILABLE, 'never an empty list that looks authoritative');
  t.regex(pending.error?.details ?? '', /^folder_id: .*not succeeded yet/);

  // Errors about a mirrored folder carry its sync time too.
  const bad = await unary(client, 'List', { folder_id: folder, page_size: 5000 });
  t.truthy(syncedAt(bad.metadata));
});

test('List page_size 0 means 100; every response carries x-mirror-synced-at', async (t) => {
  const fx = await facadeFixture(t, { emulator: { folders: 1, clustersPerFolder: 30 } });
  const client = fx.backupClient();
  const folder = fx.emulator.folderIds[0] ?? '';
  const r = await unary<WireListBackupsResponse>(client, 'List', { folder_id: folder, page_size: 0 });
  t.is(r.value?.backups.length, 100);
  t.true((r.value?.next_page_token.length ?? 0) > 0);
  t.true((r.value?.next_page_token.length ?? 101) <= 100, 'tokens fit the cloud limit');
  t.is(syncedAt(r.metadata), new Date(fx.reader.folderState(folder)?.lastSuccessAt ?? 0).toISOString());
});

test('Delete is not offered: UNIMPLEMENTED', async (t) => {
  const fx = await facadeFixture(t);
  const client = fx.backupClient();
  const r = await rawUnary(client, '/yandex.cloud.mdb.redis.v1.BackupService/Delete', Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]));
  t.is(r.error?.code, grpc.status.UNIMPLEMENTED);
});

test('malformed request bytes get an error status and the server keeps serving', async (t) => {
  const fx = await facadeFixture(t);
  const client = fx.backupClient();
  const folder = fx.emulator.folderIds[0] ?? '';
  const garbage = [
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0x0a, 0x7f, 0x01]), // a string field longer than the message
    Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // an 11-byte varint
    Buffer.from([0x0b, 0x0c]), // groups
    Buffer.from('this is not protobuf at all', 'utf8'),
  ];
  // Plus deterministic pseudo-random buffers.
  let seed = 7;
  for (let i = 0; i < 40; i++) {
    const buf = Buffer.alloc(1 + (i % 23));
    for (let j = 0; j < buf.length; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      buf[j] = seed >>> 24;
    }
    garbage.push(buf);
  }
  for (const method of ['List', 'Get']) {
    for (const body of garbage) {
      const r = await rawUnary(client, `/yandex.cloud.mdb.redis.v1.BackupService/${method}`, body);
      // Some random bytes happen to decode; either way the answer is a status, never a crash.
      if (r.error !== null) t.not(r.error.code, grpc.status.OK);
    }
  }
  for (const body of garbage.slice(0, 10)) {
    const r = await rawUnary(fx.mirrorClient(), '/redis_backup_mirror.v1.MirrorService/GetStatus', body);
    t.true(r.error === null || r.error.code !== grpc.status.OK);
  }
  const ok = await unary<WireListBackupsResponse>(client, 'List', { folder_id: folder });
  t.is(ok.error, undefined, 'still serving');
});

test('an unexpected failure is INTERNAL with a generic message; the details go to the log only', async (t) => {
  const fx = await facadeFixture(t);
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`),
  };
  // A second facade whose store connection breaks underneath it.
  const broken = MirrorStore.open(fx.dbFile);
  const facade = await startFacade({ listen: { host: '127.0.0.1', port: 0 }, tls: null, store: broken, folders: fx.folders, commits: fx.commits, logger });
  t.teardown(() => facade.close(100));
  broken.close();
  const Client = backupServiceClientConstructor();
  const client = new Client(facade.address, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const r = await unary(client, 'Get', { backup_id: 'c9qanything:20261201T220000' });
  t.is(r.error?.code, grpc.status.INTERNAL);
  t.is(r.error?.details, internalMessage);
  t.notRegex(r.error?.details ?? '', /database|sqlite/i);
  t.true(lines.some((l) => /database/i.test(l)), 'the cause is logged');
});
