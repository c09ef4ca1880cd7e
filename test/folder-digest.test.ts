import test from 'ava';
import type { Backup } from '../src/mirror/backup.js';
import { DigestEntries, sortByHash } from '../src/mirror/digest-entries.js';
import { digestOf, mergeDigest, mergeInto, type DigestSink } from '../src/mirror/digest-merge.js';
import { decodeDigestParts, DigestPartWriter, encodeDigestParts, entriesPerPart } from '../src/mirror/digest-parts.js';
import { DigestView, type Listed } from '../src/mirror/digest-view.js';
import { fingerprint, hashId, type IdHash } from '../src/mirror/fingerprint.js';
import { entryId, findEntry, findIndexed, indexHashes, lowerBound, type FolderDigest, type HashIndex } from '../src/mirror/folder-digest.js';
import { makeBackup } from './helpers/make-backup.js';
import { seededRandom } from './helpers/seeded-random.js';

const two52 = 2 ** 52;


/** The digest's entries as [id, hash, print] in stored order. */
function entriesOf(d: FolderDigest): [string, number, number][] {
  return Array.from({ length: d.count }, (_, i) => [entryId(d, i), d.hashes[i] ?? -1, d.prints[i] ?? -1]);
}

function digestFrom(items: readonly [string, number][], hash: IdHash = hashId): FolderDigest {
  const entries = new DigestEntries();
  for (const [id, print] of items) entries.push(id, hash(id), print);
  return digestOf(entries);
}

function indexed(d: FolderDigest): HashIndex {
  const index = indexHashes(d);
  if (index === null) throw new Error('unsorted digest');
  return index;
}

function isSortedByHash(d: FolderDigest): boolean {
  for (let i = 1; i < d.count; i++) if ((d.hashes[i] ?? 0) < (d.hashes[i - 1] ?? 0)) return false;
  return true;
}

test('hashId: integers in [0, 2^52), the same for the same id, spread for near-identical ids', (t) => {
  const ids = Array.from({ length: 5000 }, (_, i) => `c9qcluster${String(i).padStart(10, '0')}:20261201T220000`);
  const hashes = ids.map(hashId);
  for (const h of hashes) t.true(Number.isInteger(h) && h >= 0 && h < two52);
  t.is(hashId(ids[7] ?? ''), hashes[7] ?? -1);
  t.is(new Set(hashes).size, ids.length);
  t.not(hashId(''), hashId('\0'));
  t.not(hashId('ab'), hashId('ba'));
});

test('fingerprint: changes with every stored field, not with the folder; null is not zero; -0 is 0', (t) => {
  const base = makeBackup('c1:20261201T220000', 'f1');
  const p = fingerprint(base);
  t.true(Number.isInteger(p) && p >= 0 && p < two52);
  t.is(fingerprint({ ...base, folderId: 'other' }), p, 'the folder is the stage key, not content');
  t.is(fingerprint({ ...base, id: 'another-id' }), p, 'the id is the entry key, not content');
  const variants: Backup[] = [
    { ...base, sourceClusterId: 'c2' },
    { ...base, type: 2 },
    { ...base, createdAt: null },
    { ...base, createdAt: { seconds: 0, nanos: 0 } },
    { ...base, createdAt: { seconds: base.createdAt?.seconds ?? 0, nanos: 1 } },
    { ...base, startedAt: null },
    { ...base, startedAt: { seconds: 1, nanos: 0 } },
    { ...base, sourceShardNames: [] },
    { ...base, sourceShardNames: ['shard1', 'shard2'] },
    { ...base, sourceShardNames: ['shard', '1'] },
    { ...base, sourceShardNames: ['shard2'] },
  ];
  const prints = variants.map(fingerprint);
  for (const [i, q] of prints.entries()) t.not(q, p, `variant ${i} must differ`);
  t.is(new Set(prints).size, prints.length, 'variants differ from each other too');
  t.not(fingerprint({ ...base, createdAt: null, startedAt: { seconds: 0, nanos: 0 } }), fingerprint({ ...base, createdAt: { seconds: 0, nanos: 0 }, startedAt: null }));
  t.is(fingerprint({ ...base, createdAt: { seconds: -0, nanos: -0 } }), fingerprint({ ...base, createdAt: { seconds: 0, nanos: 0 } }));
});

test('sortByHash orders indices by hash, for uniform, skewed and all-equal hashes', (t) => {
  const random = seededRandom(11);
  const cases: number[][] = [
    [],
    [5],
    Array.from({ length: 3000 }, () => Math.floor(random() * two52)),
    Array.from({ length: 3000 }, () => Math.floor(random() * 50)), // one bucket of 3000: the comparison path
    Array.from({ length: 500 }, () => 123),
    Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? two52 - 1 - i : i)),
  ];
  for (const hashes of cases) {
    const order = sortByHash(Float64Array.from(hashes), hashes.length);
    t.deepEqual([...order].sort((a, b) => a - b), hashes.map((_, i) => i), 'a permutation');
    t.deepEqual([...order].map((i) => hashes[i]), [...hashes].sort((a, b) => a - b));
  }
});

test('lowerBound agrees with a linear scan', (t) => {
  const random = seededRandom(12);
  for (const spread of [two52, 1000, 3]) {
    const hashes = Float64Array.from(Array.from({ length: 2000 }, () => Math.floor(random() * spread)).sort((a, b) => a - b));
    const probes = [0, spread - 1, two52 - 1, ...Array.from({ length: 300 }, () => Math.floor(random() * spread)), ...Array.from(hashes.slice(0, 50))];
    for (const p of probes) {
      const expected = hashes.findIndex((h) => h >= p);
      t.is(lowerBound(hashes, 0, hashes.length, p), expected === -1 ? hashes.length : expected, `probe ${p}`);
    }
  }
  t.is(lowerBound(new Float64Array(0), 0, 0, 5), 0);
});

test('findEntry and findIndexed tell ids apart exactly when their hashes collide', (t) => {
  const collide: IdHash = (id) => id.length; // every id of the same length collides
  const ids = ['a:1', 'a:2', 'b:1', 'zz', 'yy', 'x', 'ü:1', 'ü:2', '日本:3', ...Array.from({ length: 40 }, (_, i) => `c:${i}`)];
  const d = digestFrom(ids.map((id, i) => [id, i]), collide);
  const index = indexed(d);
  t.is(d.count, ids.length);
  for (const [i, id] of ids.entries()) {
    for (const at of [findEntry(d, id, collide(id)), findIndexed(d, index, id, collide(id))]) {
      t.is(entryId(d, at), id);
      t.is(d.prints[at], i);
    }
  }
  for (const absent of ['a:3', 'c:1x', 'z', 'ü:3', 'u:1', '日本:4', '']) {
    t.is(findEntry(d, absent, collide(absent)), -1, absent);
    t.is(findIndexed(d, index, absent, collide(absent)), -1, absent);
  }
});

test('findIndexed finds every entry and nothing else, for uniform and skewed hashes', (t) => {
  const random = seededRandom(14);
  for (const hash of [hashId, (id: string) => hashId(id) % 1000, (id: string) => (id.length % 2) * (two52 - 1)] as IdHash[]) {
    for (const size of [0, 1, 2, 3, 100, 3000]) {
      const ids = Array.from({ length: size }, (_, i) => `id-${i}-${Math.floor(random() * 1e6)}`);
      const d = digestFrom(ids.map((id, i) => [id, i]), hash);
      const index = indexed(d);
      for (const id of ids) t.is(entryId(d, findIndexed(d, index, id, hash(id))), id);
      for (let i = 0; i < 50; i++) t.is(findIndexed(d, index, `absent-${i}`, hash(`absent-${i}`)), -1);
    }
  }
});

test('pushNew keeps ids distinct (colliding hashes and non-ASCII ids included) and grows as needed', (t) => {
  const collide: IdHash = (id) => id.length % 3;
  const entries = new DigestEntries();
  const ids = Array.from({ length: 3000 }, (_, i) => (i % 10 === 0 ? `é${i}` : `id-${i}`));
  for (const id of ids) t.true(entries.pushNew(id, collide(id), 1));
  for (const id of ids.slice(0, 500)) t.false(entries.pushNew(id, collide(id), 2), `${id} again`);
  t.is(entries.count, ids.length);
  const d = digestOf(entries);
  t.true(isSortedByHash(d));
  t.deepEqual(entriesOf(d).map(([id]) => id).sort(), [...ids].sort());
  t.true(entriesOf(d).every(([, , print]) => print === 1), 'the first listing is kept');
});

test('push refuses hashes and fingerprints outside [0, 2^52)', (t) => {
  const entries = new DigestEntries();
  t.throws(() => entries.push('a', -1, 0), { instanceOf: RangeError, message: /hash of id a/ });
  t.throws(() => entries.push('a', two52, 0), { instanceOf: RangeError });
  t.throws(() => entries.push('a', 1.5, 0), { instanceOf: RangeError });
  t.throws(() => entries.push('a', 1, Number.NaN), { instanceOf: RangeError, message: /fingerprint of a/ });
});

test('mergeDigest: kept base entries (with updated prints) plus added ones, sorted, against a reference', (t) => {
  const random = seededRandom(13);
  for (let round = 0; round < 40; round++) {
    // Narrow hashes in some rounds so that runs of equal hashes cross the merge.
    const narrow = round % 3 === 0;
    const hash: IdHash = narrow ? (id) => hashId(id) % 7 : hashId;
    const reference = new Map<string, number>();
    const baseIds = Array.from({ length: Math.floor(random() * 300) }, (_, i) => `b${round}-${i}`);
    for (const id of baseIds) reference.set(id, Math.floor(random() * 1000));
    const base = digestFrom([...reference], hash);
    const keep = new Uint8Array(base.count);
    for (let i = 0; i < base.count; i++) {
      const id = entryId(base, i);
      if (random() < 0.2) {
        reference.delete(id);
        continue;
      }
      keep[i] = 1;
      if (random() < 0.1) {
        base.prints[i] = 5000 + i;
        reference.set(id, 5000 + i);
      }
    }
    const added = new DigestEntries();
    for (let i = 0; i < Math.floor(random() * 200); i++) {
      const id = `n${round}-${i}${i % 5 === 0 ? 'ß' : ''}`;
      added.push(id, hash(id), 9);
      reference.set(id, 9);
    }
    const merged = mergeDigest({ base, keep, added });
    t.true(isSortedByHash(merged), `round ${round} sorted`);
    const got = entriesOf(merged);
    const byId = (a: [string, number], b: [string, number]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    t.deepEqual(got.map(([id, , print]): [string, number] => [id, print]).sort(byId), [...reference].sort(byId), `round ${round} contents`);
    for (const [id, h] of got) t.is(h, hash(id));
    for (const [id] of got) t.not(findEntry(merged, id, hash(id)), -1);
  }
});

test('mergeDigest refuses a keep mask of the wrong length', (t) => {
  const base = digestFrom([['a', 1]]);
  t.throws(() => mergeDigest({ base, keep: new Uint8Array(2), added: new DigestEntries() }), { instanceOf: RangeError });
});

test('stored parts round-trip, across several parts; an empty digest has none', (t) => {
  const items = Array.from({ length: entriesPerPart * 2 + 17 }, (_, i): [string, number] => [`c${i}:2026${i % 3 === 0 ? 'é' : ''}`, i]);
  const d = digestFrom(items);
  const parts = encodeDigestParts(d);
  t.is(parts.length, 3);
  const back = decodeDigestParts(parts, d.count, d.ids.length);
  t.truthy(back);
  t.deepEqual(back === null ? [] : entriesOf(back), entriesOf(d));
  // Unaligned copies, as SQLite may hand them back.
  const unaligned = parts.map((p) => Buffer.concat([Buffer.alloc(1), p]).subarray(1));
  t.deepEqual(entriesOf(decodeDigestParts(unaligned, d.count, d.ids.length) ?? d), entriesOf(d));

  t.deepEqual(encodeDigestParts(digestOf(new DigestEntries())), []);
  t.is(decodeDigestParts([], 0, 0)?.count, 0);
});

test('decodeDigestParts returns null for anything malformed', (t) => {
  const d = digestFrom(Array.from({ length: 100 }, (_, i): [string, number] => [`id-${i}`, i]));
  const [part] = encodeDigestParts(d);
  if (part === undefined) throw new Error('no part');
  const n = d.count;
  const idBytes = d.ids.length;
  const changed = (at: number, value: number): Buffer => {
    const copy = Buffer.from(part);
    copy[at] = value;
    return copy;
  };
  t.is(decodeDigestParts([part.subarray(0, part.length - 1)], n, idBytes), null, 'truncated');
  t.is(decodeDigestParts([changed(0, 0)], n, idBytes), null, 'bad magic');
  t.is(decodeDigestParts([changed(4, 9)], n, idBytes), null, 'unknown format version');
  t.is(decodeDigestParts([part], n + 1, idBytes), null, 'fewer entries than recorded');
  t.is(decodeDigestParts([part], n, idBytes + 1), null, 'fewer id bytes than recorded');
  t.is(decodeDigestParts([part, part], n, idBytes), null, 'more than recorded');
  t.is(decodeDigestParts([Buffer.alloc(3)], 0, 0), null, 'shorter than a header');
  t.is(decodeDigestParts([changed(16 + 16 * n, 1)], n, idBytes), null, 'ids not starting where the part does');
  t.is(decodeDigestParts([changed(16 + 20 * n - 2, 0xff)], n, idBytes), null, 'ids ending past the part');
});

test('hashes out of order (a corrupt base) are refused by the index and the view', (t) => {
  const d = digestFrom(Array.from({ length: 50 }, (_, i): [string, number] => [`id-${i}`, i]));
  const [a = 0, b = 0] = [d.hashes[10], d.hashes[11]];
  t.true(a < b);
  d.hashes[10] = b;
  d.hashes[11] = a;
  t.is(indexHashes(d), null);
  t.throws(() => new DigestView(d), { instanceOf: RangeError });
});

/** A stored digest in memory: base parts and delta parts, with their totals. */
interface Stored {
  base: { parts: Buffer[]; count: number; idBytes: number };
  removed: { parts: Buffer[]; count: number; idBytes: number };
  upserted: { parts: Buffer[]; count: number; idBytes: number };
}

function partsOf(fill: (sink: DigestSink) => void): Stored['base'] {
  const parts: Buffer[] = [];
  const writer = new DigestPartWriter((p) => parts.push(p));
  fill(writer);
  return { parts, ...writer.finish() };
}

function load(stored: Stored, hash: IdHash): DigestView {
  const base = decodeDigestParts(stored.base.parts, stored.base.count, stored.base.idBytes);
  const removed = decodeDigestParts(stored.removed.parts, stored.removed.count, stored.removed.idBytes);
  const upserted = decodeDigestParts(stored.upserted.parts, stored.upserted.count, stored.upserted.idBytes);
  if (base === null || removed === null || upserted === null) throw new Error('undecodable');
  const view = new DigestView(base);
  for (let i = 0; i < removed.count; i++) if (!view.removeFromBase(entryId(removed, i), hash(entryId(removed, i)))) throw new Error('bad removal');
  for (let i = 0; i < upserted.count; i++) if (!view.upsert(entryId(upserted, i), hash(entryId(upserted, i)), upserted.prints[i] ?? 0)) throw new Error('bad upsert');
  return view;
}

for (const [name, hash] of [
  ['default hash', hashId],
  ['colliding hash', (id: string) => hashId(id) % 4],
] as const) {
  test(`DigestView (${name}): random listings, stored as deltas or new bases, against a reference`, (t) => {
    const random = seededRandom(name.length + 100);
    const none = { parts: [], count: 0, idBytes: 0 };
    let stored: Stored = { base: none, removed: none, upserted: none };
    let mirror = new Map<string, number>();
    let deltas = 0;
    for (let round = 0; round < 60; round++) {
      const view = load(stored, hash);
      t.is(view.mirrorSize, mirror.size);
      const before: string[] = [];
      view.forEachMirrored((id, h, print) => before.push(`${id} ${h === hash(id)} ${print}`));
      t.deepEqual(before.sort(), [...mirror].map(([id, print]) => `${id} true ${print}`).sort(), `round ${round} loaded`);

      // A listing: most of the mirror (some changed), ids from a small pool (so ids come back), duplicates.
      const heavy = round % 10 === 0;
      const listing = new Map<string, number>();
      for (const [id, print] of mirror) if (random() > (heavy ? 0.4 : 0.03)) listing.set(id, random() < 0.03 ? print + 1 : print);
      for (let i = 0; i < (round === 0 ? 200 : 6); i++) listing.set(`id-${Math.floor(random() * 400)}${i % 7 === 0 ? 'ñ' : ''}`, round);
      const order = [...listing].sort(() => random() - 0.5);
      const outcomes: Listed[] = [];
      for (const [id, print] of [...order, ...order.filter(() => random() < 0.05)]) outcomes.push(view.list(id, hash(id), print));
      const expected: Listed[] = [...order.map(([id, print]): Listed => (!mirror.has(id) ? 'new' : mirror.get(id) === print ? 'same' : 'changed'))];
      while (expected.length < outcomes.length) expected.push('duplicate');
      t.deepEqual(outcomes, expected, `round ${round} outcomes`);
      t.is(view.listed, listing.size);
      const missing: string[] = [];
      view.forEachMissing((id) => missing.push(id));
      t.deepEqual(missing.sort(), [...mirror.keys()].filter((id) => !listing.has(id)).sort());
      t.is(view.hasMissing, missing.length > 0);

      // Store as the store would: a delta while small against the base, else a new base.
      if (stored.base.count > 0 && 8 * view.deltaSize() <= stored.base.count) {
        const r: Buffer[] = [];
        const u: Buffer[] = [];
        const removed = new DigestPartWriter((p) => r.push(p));
        const upserted = new DigestPartWriter((p) => u.push(p));
        view.writeDelta(removed, upserted);
        stored = { base: stored.base, removed: { parts: r, ...removed.finish() }, upserted: { parts: u, ...upserted.finish() } };
        deltas++;
      } else {
        stored = { base: partsOf((sink) => mergeInto(view.nextBase(), sink)), removed: none, upserted: none };
      }
      t.throws(() => view.nextBase(), { message: /stored once/ });
      mirror = listing;
    }
    t.true(deltas > 10, `${deltas} deltas`);
  });
}

test('DigestView refuses a corrupt delta and loading after the listing began', (t) => {
  const view = new DigestView(digestFrom([['a', 1], ['b', 2]]));
  t.false(view.removeFromBase('zz', hashId('zz')), 'not in the base');
  t.true(view.removeFromBase('a', hashId('a')));
  t.false(view.removeFromBase('a', hashId('a')), 'removed twice');
  t.true(view.upsert('c', hashId('c'), 3));
  t.false(view.upsert('c', hashId('c'), 4), 'upserted twice');
  t.true(view.upsert('b', hashId('b'), 5));
  t.false(view.upsert('b', hashId('b'), 6), 'upserted twice');
  t.is(view.mirrorSize, 2);
  t.is(view.list('b', hashId('b'), 5), 'same');
  t.is(view.list('a', hashId('a'), 1), 'new', 'removed by the delta: new again');
  t.throws(() => view.upsert('d', hashId('d'), 1), { message: /before the listing starts/ });
});
