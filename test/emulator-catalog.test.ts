import test from 'ava';
import { BackupType, type Backup } from '../src/mirror/backup.js';
import { backupStamp, dayMs, retentionMs } from '../src/emulator/backup-schedule.js';
import { Catalog } from '../src/emulator/catalog.js';
import { defaultStartMs, EmulatorClock } from '../src/emulator/emulator-clock.js';
import { decodePageToken, encodePageToken } from '../src/emulator/page-token.js';

function catalogAt(ms: number, seed = 42, folders = 2, clustersPerFolder = 20): Catalog {
  return new Catalog({ seed, folders, clustersPerFolder }, () => ms);
}

function createdMs(b: Backup): number {
  return (b.createdAt?.seconds ?? Number.NaN) * 1000 + (b.createdAt?.nanos ?? 0) / 1e6;
}

test('same seed gives the same folders, clusters and backups; another seed differs', (t) => {
  const a = catalogAt(defaultStartMs, 7);
  const b = catalogAt(defaultStartMs, 7);
  const c = catalogAt(defaultStartMs, 8);
  t.deepEqual(a.folderIds, b.folderIds);
  const folder = a.folderIds[0] ?? '';
  t.deepEqual([...a.listAll(folder)], [...b.listAll(folder)]);
  t.notDeepEqual(a.folderIds, c.folderIds);
});

test('ids look like the cloud: b1g/c9q + 17 base32 chars, backups <cluster>:<UTC start stamp>', (t) => {
  const catalog = catalogAt(defaultStartMs);
  t.is(catalog.folderIds.length, 2);
  for (const folder of catalog.folderIds) {
    t.regex(folder, /^b1g[a-z2-7]{17}$/);
    const clusters = catalog.clusterIds(folder);
    t.is(clusters.length, 20);
    for (const b of catalog.listAll(folder)) {
      t.regex(b.sourceClusterId, /^c9q[a-z2-7]{17}$/);
      t.true(clusters.includes(b.sourceClusterId));
      t.is(b.folderId, folder);
      t.is(b.id, `${b.sourceClusterId}:${backupStamp(b.startedAt?.seconds ?? 0)}`);
      t.is(b.type, BackupType.AUTOMATED);
      t.true(b.sourceShardNames.length >= 1);
      const start = new Date((b.startedAt?.seconds ?? 0) * 1000);
      t.true(start.getUTCHours() >= 22, `started in the 22:00 window: ${start.toISOString()}`);
      const runMs = createdMs(b) - (b.startedAt?.seconds ?? 0) * 1000 - (b.startedAt?.nanos ?? 0) / 1e6;
      t.true(runMs >= 60_000 && runMs <= 11 * 60_000, `created a few minutes after start (${runMs} ms)`);
    }
  }
});

test('listAll is ordered by id and each cluster keeps exactly its last 7 days', (t) => {
  const now = defaultStartMs;
  const catalog = catalogAt(now);
  const folder = catalog.folderIds[1] ?? '';
  const all = [...catalog.listAll(folder)];
  t.is(all.length, 20 * 7);
  t.is(catalog.count(folder), all.length);
  for (let i = 1; i < all.length; i++) t.true((all[i - 1]?.id ?? '') < (all[i]?.id ?? ''));
  for (const b of all) t.true(createdMs(b) > now - retentionMs && createdMs(b) <= now);
  t.is(catalog.count('b1gunknownfolder00000'), 0);
  t.deepEqual([...catalog.listAll('b1gunknownfolder00000')], []);
});

test('a day later every cluster has one new backup and lost its oldest', (t) => {
  const clock = new EmulatorClock();
  const catalog = new Catalog({ seed: 3, folders: 1, clustersPerFolder: 15 }, () => clock.now());
  const folder = catalog.folderIds[0] ?? '';
  const before = [...catalog.listAll(folder)];
  clock.advance(dayMs);
  const after = [...catalog.listAll(folder)];
  t.is(after.length, before.length);
  for (const cluster of catalog.clusterIds(folder)) {
    const was = before.filter((b) => b.sourceClusterId === cluster).map((b) => b.id);
    const is = after.filter((b) => b.sourceClusterId === cluster).map((b) => b.id);
    t.deepEqual(is.slice(0, -1), was.slice(1), 'the oldest expired, the rest stayed');
    t.true((is.at(-1) ?? '') > (was.at(-1) ?? ''), 'one new backup');
  }
  t.is(catalog.get(before[0]?.id ?? ''), undefined, 'expired backups are gone from Get too');
  clock.set(defaultStartMs);
  t.deepEqual([...catalog.listAll(folder)], before, 'setting the clock back restores the catalog');
});

test('get finds every listed backup and nothing else', (t) => {
  const catalog = catalogAt(defaultStartMs);
  const folder = catalog.folderIds[0] ?? '';
  for (const b of catalog.listAll(folder)) t.deepEqual(catalog.get(b.id), b);
  const some = [...catalog.listAll(folder)][3];
  t.truthy(some);
  t.is(catalog.get(`${some?.sourceClusterId ?? ''}:20261201T220000`), undefined);
  t.is(catalog.get('nope'), undefined);
  t.is(catalog.get('c9qaaaaaaaaaaaaaaaaa:20261130T221500'), undefined);
});

test('overlay: added, deleted and updated backups show in listAll, get and count', (t) => {
  const catalog = catalogAt(defaultStartMs);
  const [folder = '', other = ''] = catalog.folderIds;
  const truth = [...catalog.listAll(folder)];
  const cluster = catalog.clusterIds(folder)[5] ?? '';
  const manual: Backup = {
    id: `${cluster}:20261201T101500`,
    folderId: folder,
    createdAt: { seconds: 1_796_120_400, nanos: 0 },
    sourceClusterId: cluster,
    startedAt: { seconds: 1_796_120_100, nanos: 0 },
    sourceShardNames: ['shard1'],
    type: BackupType.MANUAL,
  };
  catalog.addBackup(manual);
  t.deepEqual(catalog.get(manual.id), manual);
  const withManual = [...catalog.listAll(folder)];
  t.is(withManual.length, truth.length + 1);
  t.deepEqual(withManual.map((b) => b.id), [...truth.map((b) => b.id), manual.id].sort());
  t.is(catalog.count(folder), truth.length + 1);
  t.throws(() => catalog.addBackup(manual), { message: /already exists/ });

  const victim = truth[10] as Backup;
  t.true(catalog.deleteBackup(victim.id));
  t.false(catalog.deleteBackup(victim.id));
  t.is(catalog.get(victim.id), undefined);
  t.false([...catalog.listAll(folder)].some((b) => b.id === victim.id));
  t.is(catalog.count(folder), truth.length);

  const changed: Backup = { ...(truth[20] as Backup), sourceShardNames: ['shard1', 'shard9'] };
  catalog.updateBackup(changed);
  t.deepEqual(catalog.get(changed.id), changed);
  t.deepEqual([...catalog.listAll(folder)].find((b) => b.id === changed.id), changed);
  t.throws(() => catalog.updateBackup({ ...changed, id: 'missing' }), { message: /missing/ });

  const moved: Backup = { ...(truth[30] as Backup), folderId: other };
  catalog.updateBackup(moved);
  t.false([...catalog.listAll(folder)].some((b) => b.id === moved.id));
  t.true([...catalog.listAll(other)].some((b) => b.id === moved.id));
  t.is(catalog.count(folder), truth.length - 1);
  t.is(catalog.count(other), 20 * 7 + 1);

  t.true(catalog.deleteBackup(manual.id));
  t.is(catalog.get(manual.id), undefined);
});

test('a folder of 100,000 backups is served lazily and in order', (t) => {
  const catalog = catalogAt(defaultStartMs, 11, 1, 14_286);
  const folder = catalog.folderIds[0] ?? '';
  let n = 0;
  let last = '';
  for (const b of catalog.listAll(folder)) {
    if (b.id <= last) t.fail(`out of order at ${b.id}`);
    last = b.id;
    n++;
  }
  t.is(n, 14_286 * 7);
  t.is(catalog.count(folder), n);
  const middle = catalog.clusterIds(folder)[7000] ?? '';
  const after = catalog.listAfter(folder, `${middle}:`).next();
  t.is(after.done, false);
  t.is(after.value?.sourceClusterId, middle, 'keyset start lands on the right cluster');
});

test('page tokens round-trip, stay within 100 chars and refuse tampering and other folders', (t) => {
  const id = 'c9q287aqv5rfxxxxxxxx:20181113T133617';
  const token = encodePageToken('b1gfolder', { pageIndex: 3, lastId: id });
  t.true(token.length <= 100);
  t.deepEqual(decodePageToken('b1gfolder', token), { ok: true, cursor: { pageIndex: 3, lastId: id } });
  t.deepEqual(decodePageToken('b1gother', token), { ok: false, problem: 'foreign-folder' });
  const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
  t.deepEqual(decodePageToken('b1gfolder', flipped), { ok: false, problem: 'invalid' });
  t.deepEqual(decodePageToken('b1gfolder', 'not a token!'), { ok: false, problem: 'invalid' });
  t.deepEqual(decodePageToken('b1gfolder', 'abc'), { ok: false, problem: 'invalid' });
});

test('fast clock runs by itself; manual clock only moves when told', async (t) => {
  const manual = new EmulatorClock(1000);
  t.is(manual.now(), 1000);
  t.is(manual.advance(500), 1500);
  t.is(manual.set(10), 10);
  const fast = new EmulatorClock(defaultStartMs, 1000);
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.true(fast.now() > defaultStartMs);
  t.throws(() => new EmulatorClock(0, 0), { message: /dayEveryMs/ });
});
