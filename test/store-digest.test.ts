import test from 'ava';
import path from 'node:path';
import type { Backup } from '../src/mirror/backup.js';
import { hashId, type IdHash } from '../src/mirror/fingerprint.js';
import { entryId, type FolderDigest } from '../src/mirror/folder-digest.js';
import { applyPass } from '../src/store/apply-pass.js';
import { loadDigest, rebuildDigest } from '../src/store/digest-table.js';
import { ListingStage } from '../src/store/listing-stage.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { makeBackup } from './helpers/make-backup.js';
import { tempDir } from './helpers/temp-dir.js';
import { seededRandom } from './helpers/seeded-random.js';


function openStore(t: Parameters<typeof tempDir>[0]): MirrorStore {
  const store = MirrorStore.open(path.join(tempDir(t), 'm.db'));
  t.teardown(() => store.close());
  return store;
}

/** One pass over `folder` listing `pages`, with the given id hash. */
function commit(store: MirrorStore, folder: string, pages: readonly Backup[][], at: number, hash: IdHash = hashId) {
  const stage = new ListingStage(store.db, folder, { hashId: hash });
  try {
    for (const p of pages) stage.add(p);
    return { applied: store.commitPass(stage, `pass-${at}`, at), duplicates: stage.duplicates, size: stage.size };
  } finally {
    stage.dispose();
  }
}

function sortedEntries(d: FolderDigest): string[] {
  return Array.from({ length: d.count }, (_, i) => `${entryId(d, i)} ${d.hashes[i]} ${d.prints[i]}`).sort();
}

/** The stored digest (base plus delta) as the mirror it describes. */
function storedEntries(store: MirrorStore, folder: string, hash: IdHash = hashId): string[] {
  const out: string[] = [];
  loadDigest(store.db, folder, hash).view.forEachMirrored((id, h, print) => out.push(`${id} ${h} ${print}`));
  return out.sort();
}

const byId = (a: Backup, b: Backup): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

interface Churn {
  readonly name: string;
  readonly hash: IdHash;
  /** Chance that a mirrored backup is not listed, that it is listed changed. */
  readonly remove: number;
  readonly change: number;
  /** New backups per pass (0..max), and the chance that a once-removed backup comes back. */
  readonly freshMax: number;
  readonly comeBack: number;
  readonly rounds: number;
}

const churns: Churn[] = [
  { name: 'heavy churn', hash: hashId, remove: 0.15, change: 0.1, freshMax: 40, comeBack: 0.2, rounds: 16 },
  { name: 'heavy churn, most ids colliding', hash: (id) => hashId(id) % 5, remove: 0.15, change: 0.1, freshMax: 40, comeBack: 0.2, rounds: 16 },
  // Light churn on a larger folder: passes stored as deltas against an older base, until it is rewritten.
  { name: 'light churn', hash: hashId, remove: 0.01, change: 0.01, freshMax: 8, comeBack: 0.3, rounds: 30 },
  { name: 'light churn, most ids colliding', hash: (id) => hashId(id) % 3, remove: 0.01, change: 0.01, freshMax: 8, comeBack: 0.3, rounds: 30 },
];

for (const churn of churns) {
  test(`random passes (${churn.name}): the mirror equals each listing, the log replays to it, the digest matches a rebuild`, (t) => {
    const store = openStore(t);
    const random = seededRandom(churn.name.length);
    const { hash } = churn;
    const folder = 'f1';
    let mirror = new Map<string, Backup>();
    const gone: Backup[] = [];
    let next = 0;
    let head = 0;
    let deltas = 0;
    for (let round = 1; round <= churn.rounds; round++) {
      // The new listing: most of the mirror, some of it changed, some new backups, some back.
      const listing = new Map<string, Backup>();
      for (const b of mirror.values()) {
        const r = random();
        if (r < churn.remove) {
          gone.push(b);
          continue;
        }
        listing.set(b.id, r < churn.remove + churn.change ? { ...b, sourceShardNames: [...b.sourceShardNames, `s${round}`] } : b);
      }
      const fresh = round === 1 ? 300 : Math.floor(random() * (churn.freshMax + 1));
      for (let i = 0; i < fresh; i++) {
        const id = `c${next % 9}:${next}${next % 11 === 0 ? 'é' : ''}`;
        next++;
        listing.set(id, makeBackup(id, folder, { type: Math.floor(random() * 3) }));
      }
      const back = gone.length > 0 && random() < churn.comeBack ? gone.splice(Math.floor(random() * gone.length), 1)[0] : undefined;
      if (back !== undefined && !listing.has(back.id)) listing.set(back.id, back);
      // Pages in random order, some backups listed twice.
      const items = [...listing.values()].sort(() => random() - 0.5);
      const repeats = items.filter(() => random() < 0.05);
      const all = [...items, ...repeats];
      const pages: Backup[][] = [];
      for (let i = 0; i < all.length; i += 7) pages.push(all.slice(i, i + 7));

      const { applied, duplicates, size } = commit(store, folder, pages, round * 1000, hash);
      const removed = [...mirror.keys()].filter((id) => !listing.has(id)).length;
      const added = [...listing.keys()].filter((id) => !mirror.has(id)).length;
      const updated = [...listing.values()].filter((b) => {
        const before = mirror.get(b.id);
        return before !== undefined && JSON.stringify(before) !== JSON.stringify(b);
      }).length;
      t.like(applied, { added, removed, updated, backups: listing.size }, `round ${round}`);
      t.is(duplicates, repeats.length);
      t.is(size, listing.size);
      t.is(store.headSequence(), head + added + removed + updated);
      head = store.headSequence();

      mirror = listing;
      t.deepEqual(store.backups.list(folder, null, 100_000), [...mirror.values()].sort(byId), `round ${round} mirror`);
      const report = store.verify();
      t.true(report.ok, report.problems.join('; '));
      t.deepEqual(storedEntries(store, folder, hash), sortedEntries(rebuildDigest(store.db, folder, hash)), `round ${round} digest`);
      const row = store.db.prepare('SELECT removed_entries + upserted_entries AS n FROM folder_digests WHERE folder_id = ?').get(folder) as { n: number };
      if (row.n > 0) deltas++;
    }
    if (churn.remove < 0.1) t.true(deltas > churn.rounds / 2, `light churn is mostly stored as deltas (${deltas} of ${churn.rounds})`);
  });
}

test('a missing or unreadable digest is rebuilt from the mirror, and the pass records only real changes', (t) => {
  const store = openStore(t);
  const backups = Array.from({ length: 50 }, (_, i) => makeBackup(`c:${i}`, 'f1'));
  commit(store, 'f1', [backups], 1000);
  store.db.exec("DELETE FROM folder_digests WHERE folder_id = 'f1'");
  const changed = makeBackup('c:3', 'f1', { type: 2 });
  const { applied } = commit(store, 'f1', [[...backups.slice(0, 3), changed, ...backups.slice(5), makeBackup('c:new', 'f1')]], 2000);
  t.like(applied, { added: 1, removed: 1, updated: 1, backups: 50 });
  store.db.exec("UPDATE folder_digest_parts SET data = zeroblob(40) WHERE folder_id = 'f1'");
  t.like(commit(store, 'f1', [[...backups.slice(0, 3), changed, ...backups.slice(5), makeBackup('c:new', 'f1')]], 3000).applied, {
    added: 0,
    removed: 0,
    updated: 0,
  });
  t.true(store.verify().ok);
  t.deepEqual(storedEntries(store, 'f1'), sortedEntries(rebuildDigest(store.db, 'f1', hashId)));
});

test('a digest spanning several stored parts survives a pass that changes a few entries', (t) => {
  const store = openStore(t);
  const backups = Array.from({ length: 40_000 }, (_, i) => makeBackup(`c${i % 97}:${i}`, 'f1'));
  commit(store, 'f1', [backups], 1000);
  const parts = (kind: string): number =>
    (store.db.prepare("SELECT count(*) AS n FROM folder_digest_parts WHERE folder_id = 'f1' AND kind = ?").get(kind) as { n: number }).n;
  t.true(parts('base') > 1);
  const next = [...backups.slice(10), makeBackup('c:new', 'f1')];
  next[10] = makeBackup(backups[20]?.id ?? '', 'f1', { sourceShardNames: [] });
  const { applied } = commit(store, 'f1', [next.slice(0, 25_000), next.slice(25_000)], 2000);
  t.like(applied, { added: 1, removed: 10, updated: 1, backups: 39_991 });
  t.true(parts('removed') === 1 && parts('upserted') === 1, 'a small change is stored as a delta');
  t.true(store.verify().ok);
  t.deepEqual(storedEntries(store, 'f1'), sortedEntries(rebuildDigest(store.db, 'f1', hashId)));
});

test('missing() pages removal candidates in id order; those added back count as present', (t) => {
  const store = openStore(t);
  const backups = Array.from({ length: 30 }, (_, i) => makeBackup(`c:${String(i).padStart(2, '0')}`, 'f1'));
  commit(store, 'f1', [backups], 1000);
  const stage = store.beginListing('f1');
  t.teardown(() => stage.dispose());
  stage.add(backups.filter((_, i) => i % 3 !== 0)); // 0, 3, 6, ... 27 are missing
  const first = stage.missing('', 4);
  t.deepEqual(first.map((b) => b.id), ['c:00', 'c:03', 'c:06', 'c:09']);
  t.deepEqual(first[1], backups[3], 'the mirrored state');
  t.deepEqual(stage.missing('c:09', 100).map((b) => b.id), ['c:12', 'c:15', 'c:18', 'c:21', 'c:24', 'c:27']);
  // The cloud still has two of them (one with new fields): they count as present.
  const changed = makeBackup('c:12', 'f1', { type: 2 });
  stage.add([backups[3] as Backup, changed]);
  t.deepEqual(stage.missing('', 100).map((b) => b.id), ['c:00', 'c:06', 'c:09', 'c:15', 'c:18', 'c:21', 'c:24', 'c:27']);
  t.is(stage.size, 22);
  const applied = store.commitPass(stage, 'p2', 2000);
  t.like(applied, { removed: 8, added: 0, updated: 1, backups: 22 });
  t.deepEqual(store.backups.get('c:12'), changed);
  t.truthy(store.backups.get('c:03'));
  t.true(store.verify().ok);
});

test('a pass whose folder another pass committed meanwhile is refused and writes nothing', (t) => {
  const store = openStore(t);
  commit(store, 'f1', [[makeBackup('a:1', 'f1')]], 1000);
  const slow = store.beginListing('f1');
  t.teardown(() => slow.dispose());
  slow.add([makeBackup('a:2', 'f1')]);
  commit(store, 'f1', [[makeBackup('a:1', 'f1'), makeBackup('a:3', 'f1')]], 2000);
  const head = store.headSequence();
  t.throws(() => applyPass(store.db, { stage: slow, passId: 'slow', observedAt: 3000 }), { message: /f1: another pass committed it/ });
  t.is(store.headSequence(), head);
  t.is(store.folderState('f1')?.lastPassId, 'pass-2000');
  t.true(store.verify().ok);
});

test('an empty listing removes everything; the next pass adds it back', (t) => {
  const store = openStore(t);
  const backups = Array.from({ length: 20 }, (_, i) => makeBackup(`c:${i}`, 'f1'));
  commit(store, 'f1', [backups], 1000);
  t.like(commit(store, 'f1', [], 2000).applied, { removed: 20, backups: 0 });
  t.like(commit(store, 'f1', [backups], 3000).applied, { added: 20, removed: 0, backups: 20 });
  t.true(store.verify().ok);
});

test('a digest made with another id hash is rebuilt, not misread (no spurious removals)', (t) => {
  const store = openStore(t);
  const backups = Array.from({ length: 100 }, (_, i) => makeBackup(`c:${i}`, 'f1'));
  commit(store, 'f1', [backups], 1000);
  const other: IdHash = (id) => (hashId(id) * 7) % 2 ** 52;
  t.like(commit(store, 'f1', [backups], 2000, other).applied, { added: 0, removed: 0, updated: 0, backups: 100 });
  t.like(commit(store, 'f1', [backups.slice(1)], 3000).applied, { added: 0, removed: 1, updated: 0, backups: 99 });
  t.true(store.verify().ok);
});
