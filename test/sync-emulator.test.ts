import test from 'ava';
import { status } from '@grpc/grpc-js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { mirrorFixture, mirroredIds } from './helpers/mirror-fixture.js';

test('first pass bootstraps every backup; a day later only the new and the expired are recorded; no change, no events', async (t) => {
  const fx = await mirrorFixture(t, { folders: 3, clustersPerFolder: 4 });
  const first = await fx.sync();
  t.true(first.every((o) => o.ok));
  for (const folder of fx.emulator.folderIds) {
    const truth = [...fx.emulator.catalog.listAll(folder)].map((b) => b.id);
    t.deepEqual(mirroredIds(fx.store, folder), truth);
  }
  const events = fx.store.events(0, { limit: 10_000 });
  t.is(events.length, fx.emulator.folderIds.reduce((n, f) => n + fx.emulator.catalog.count(f), 0));
  t.true(events.every((e) => e.type === 'added' && e.bootstrap));
  t.true(fx.store.verify().ok);

  const before = new Map(fx.emulator.folderIds.map((f) => [f, new Set(mirroredIds(fx.store, f))]));
  const head = fx.store.headSequence();
  fx.emulator.clock.advance(dayMs);
  const second = await fx.sync();
  t.true(second.every((o) => o.ok && o.added === 4 && o.removed === 4 && o.updated === 0));
  const dayEvents = fx.store.events(head, { limit: 10_000 });
  for (const e of dayEvents) {
    t.false(e.bootstrap);
    const had = before.get(e.folderId)?.has(e.backupId) ?? false;
    t.is(e.type, had ? 'removed' : 'added', `${e.type} ${e.backupId}`);
  }
  for (const folder of fx.emulator.folderIds) {
    t.deepEqual(mirroredIds(fx.store, folder), [...fx.emulator.catalog.listAll(folder)].map((b) => b.id));
  }
  t.true(fx.store.verify().ok);

  const headAfter = fx.store.headSequence();
  const third = await fx.sync();
  t.true(third.every((o) => o.ok && o.added + o.removed + o.updated === 0));
  t.is(fx.store.headSequence(), headAfter);
});

test('a backup whose fields change is recorded as updated with its new state', async (t) => {
  const fx = await mirrorFixture(t, { folders: 1, clustersPerFolder: 2 });
  const [folder] = fx.emulator.folderIds;
  if (folder === undefined) throw new Error('no folder');
  await fx.sync();
  const [victim] = fx.emulator.catalog.listAll(folder);
  if (victim === undefined) throw new Error('empty folder');
  fx.emulator.catalog.updateBackup({ ...victim, type: 2, sourceShardNames: ['shard9'] });
  const [outcome] = await fx.sync();
  t.like(outcome, { ok: true, updated: 1, added: 0, removed: 0 });
  const last = fx.store.events(fx.store.headSequence() - 1)[0];
  t.like(last, { type: 'updated', backupId: victim.id });
  t.deepEqual(last?.backup.sourceShardNames, ['shard9']);
  t.deepEqual(fx.store.backups.get(victim.id)?.type, 2);
});

const faults = [
  { name: 'a page failing (UNAVAILABLE, retries exhausted)', spec: { failPage: { page: 2, code: status.UNAVAILABLE } }, error: /UNAVAILABLE/ },
  { name: 'a page refused (PERMISSION_DENIED)', spec: { failPage: { page: 1, code: status.PERMISSION_DENIED } }, error: /managed-redis\.viewer/ },
  { name: 'a page token that loops', spec: { loopToken: { page: 2 } }, error: /already used, the listing loops/ },
  { name: 'an item with an empty id', spec: { malformed: { page: 1, kind: 'empty-id' as const } }, error: /has an empty id/ },
  { name: 'an item of another folder', spec: { malformed: { page: 2, kind: 'foreign-folder' as const } }, error: /has folder_id ".+", not the folder listed/ },
  { name: 'a page slower than the deadline', spec: { delayMs: 8000 }, error: /DEADLINE_EXCEEDED/ },
  { name: 'a removal confirmation failing', spec: { failGet: { code: status.INTERNAL } }, error: /Get failed with INTERNAL/ },
];

for (const fault of faults) {
  test(`${fault.name} fails the pass, leaves mirror and log unchanged, and the next clean pass converges`, async (t) => {
    const fx = await mirrorFixture(t, { folders: 1, clustersPerFolder: 5 }, { timeoutMs: 3000 });
    const [folder] = fx.emulator.folderIds;
    if (folder === undefined) throw new Error('no folder');
    await fx.sync();
    fx.emulator.clock.advance(dayMs); // so that the failing pass would have had work to do
    const head = fx.store.headSequence();
    const mirror = mirroredIds(fx.store, folder);
    fx.emulator.faults.set(fault.spec);
    const [failed] = await fx.sync();
    t.false(failed?.ok);
    t.regex(failed?.error ?? '', fault.error);
    t.is(fx.store.headSequence(), head);
    t.deepEqual(mirroredIds(fx.store, folder), mirror);
    t.like(fx.store.folderState(folder), { lastError: failed?.error });
    fx.emulator.faults.clear();
    const [ok] = await fx.sync();
    t.like(ok, { ok: true, added: 5, removed: 5 });
    t.deepEqual(mirroredIds(fx.store, folder), [...fx.emulator.catalog.listAll(folder)].map((b) => b.id));
    t.is(fx.store.folderState(folder)?.lastError, null);
    t.true(fx.store.verify().ok);
  });
}

test('duplicates across pages and items moved between pages never produce a wrong removed', async (t) => {
  const fx = await mirrorFixture(t, { folders: 1, clustersPerFolder: 6, seed: 7 });
  const [folder] = fx.emulator.folderIds;
  if (folder === undefined) throw new Error('no folder');
  await fx.sync();
  let unconfirmed = 0;
  for (let round = 0; round < 6; round++) {
    fx.emulator.faults.set({ duplicate: { page: round % 3 }, move: { page: (round + 1) % 4, count: 3 } });
    const head = fx.store.headSequence();
    const [o] = await fx.sync();
    t.true(o?.ok, o?.error ?? '');
    unconfirmed += o?.unconfirmedRemovals ?? 0;
    const removed = fx.store.events(head, { limit: 1000 }).filter((e) => e.type === 'removed');
    for (const e of removed) t.is(fx.emulator.catalog.get(e.backupId), undefined, `${e.backupId} still exists`);
    // A new backup the shifted listing skipped is simply not known yet; nothing mirrored is stale.
    for (const id of mirroredIds(fx.store, folder)) t.truthy(fx.emulator.catalog.get(id), `${id} is gone`);
    fx.emulator.clock.advance(dayMs / 2);
  }
  t.true(unconfirmed > 0, 'the moved items were missing from listings and kept after Get found them');
  fx.emulator.faults.clear();
  await fx.sync();
  t.deepEqual(mirroredIds(fx.store, folder), [...fx.emulator.catalog.listAll(folder)].map((b) => b.id));
  t.true(fx.store.verify().ok);
});

test('a duplicate across pages is kept once and counted', async (t) => {
  const fx = await mirrorFixture(t, { folders: 1, clustersPerFolder: 3 });
  fx.emulator.faults.set({ duplicate: { page: 0 } });
  const [o] = await fx.sync();
  t.like(o, { ok: true, duplicates: 1, added: 21, backups: 21 });
});
