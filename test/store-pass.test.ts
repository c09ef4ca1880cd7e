import test from 'ava';
import path from 'node:path';
import { MirrorStore } from '../src/store/mirror-store.js';
import type { Backup } from '../src/mirror/backup.js';
import { makeBackup } from './helpers/make-backup.js';
import { tempDir } from './helpers/temp-dir.js';

function commit(store: MirrorStore, folder: string, pages: Backup[][], at = 1000) {
  const stage = store.beginListing(folder);
  try {
    for (const p of pages) stage.add(p);
    return { applied: store.commitPass(stage, `pass-${at}`, at), duplicates: stage.duplicates };
  } finally {
    stage.dispose();
  }
}

test('first pass records one bootstrap added per backup, in id order, and the projection follows', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  const { applied } = commit(store, 'f1', [[makeBackup('c:2', 'f1'), makeBackup('c:1', 'f1')], [makeBackup('c:3', 'f1')]]);
  t.like(applied, { added: 3, removed: 0, updated: 0, backups: 3, bootstrap: true, firstSequence: 1, lastSequence: 3 });
  const events = store.events(0);
  t.deepEqual(events.map((e) => [e.sequence, e.type, e.backupId, e.bootstrap]), [
    [1, 'added', 'c:1', true],
    [2, 'added', 'c:2', true],
    [3, 'added', 'c:3', true],
  ]);
  t.deepEqual(store.backups.get('c:2'), makeBackup('c:2', 'f1'));
  t.true(store.verify().ok);
});

test('a later pass records exactly what changed, not bootstrap; an unchanged pass records nothing', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  commit(store, 'f1', [[makeBackup('c:1', 'f1'), makeBackup('c:2', 'f1')]]);
  const changed = makeBackup('c:2', 'f1', { sourceShardNames: ['shard1', 'shard2'] });
  const { applied } = commit(store, 'f1', [[changed, makeBackup('c:3', 'f1')]], 2000);
  t.like(applied, { added: 1, removed: 1, updated: 1, backups: 2, bootstrap: false });
  const events = store.events(2);
  t.deepEqual(events.map((e) => [e.type, e.backupId, e.bootstrap]), [
    ['removed', 'c:1', false],
    ['updated', 'c:2', false],
    ['added', 'c:3', false],
  ]);
  t.deepEqual(events[0]?.backup, makeBackup('c:1', 'f1'), 'removed carries the last known state');
  t.deepEqual(store.backups.get('c:2'), changed);
  const again = commit(store, 'f1', [[changed, makeBackup('c:3', 'f1')]], 3000);
  t.like(again.applied, { added: 0, removed: 0, updated: 0, firstSequence: null });
  t.is(store.headSequence(), 5);
  t.true(store.verify().ok);
});

test('the same id on two pages is kept once and counted', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  const { applied, duplicates } = commit(store, 'f1', [[makeBackup('c:1', 'f1'), makeBackup('c:2', 'f1')], [makeBackup('c:2', 'f1')]]);
  t.is(duplicates, 1);
  t.is(applied.added, 2);
});

test('folders are independent: one folder\'s pass never touches another\'s backups', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  commit(store, 'f1', [[makeBackup('a:1', 'f1')]]);
  commit(store, 'f2', [[makeBackup('b:1', 'f2')]]);
  const { applied } = commit(store, 'f2', [[]], 2000);
  t.is(applied.removed, 1);
  t.truthy(store.backups.get('a:1'));
  t.is(store.backups.get('b:1'), undefined);
  t.deepEqual(store.folderStates().map((f) => [f.folderId, f.backupCount]), [['f1', 1], ['f2', 0]]);
  t.true(store.verify().ok);
});

test('a recorded failure changes only the folder state', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  commit(store, 'f1', [[makeBackup('a:1', 'f1')]]);
  store.recordFailure('f1', 5000, 'List failed with UNAVAILABLE', 'p2');
  t.like(store.folderState('f1'), { lastAttemptAt: 5000, lastSuccessAt: 1000, lastError: 'List failed with UNAVAILABLE', backupCount: 1 });
  t.is(store.headSequence(), 1);
  t.true(store.verify().ok);
});

test('the log is append-only: SQL that edits or deletes events is refused', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  commit(store, 'f1', [[makeBackup('a:1', 'f1')]]);
  t.throws(() => store.db.exec('DELETE FROM events'), { any: true, message: /append-only/ });
  t.throws(() => store.db.exec("UPDATE events SET type = 'removed'"), { any: true, message: /append-only/ });
});

test('verify reports a projection that drifted from the log', (t) => {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  commit(store, 'f1', [[makeBackup('a:1', 'f1'), makeBackup('a:2', 'f1')]]);
  store.db.exec("UPDATE backups SET source_cluster_id = 'tampered' WHERE id = 'a:1'");
  store.db.exec("DELETE FROM backups WHERE id = 'a:2'");
  const report = store.verify();
  t.false(report.ok);
  t.true(report.problems.some((p) => p.includes('a:1')));
  t.true(report.problems.some((p) => p.includes('2 present backups but the mirror has 1')));
});
