/**
 * A folder's digest: what the mirror holds of one folder, compact enough to check a whole
 * listing against in memory without a JS object per backup. Entries are sorted by the 52-bit
 * hash of their id (equal hashes in no particular order); each has a 52-bit content
 * fingerprint and its id's UTF-8 bytes. Four typed arrays, whatever the folder's size.
 */
export interface FolderDigest {
  /** Entries (backups of the folder). */
  readonly count: number;
  /** Id hashes, ascending; `count` long. */
  readonly hashes: Float64Array;
  /** Content fingerprints (see `fingerprint`), by entry. */
  readonly prints: Float64Array;
  /** Entry `i`'s id is `ids[offsets[i] .. offsets[i + 1])`; `count + 1` long. */
  readonly offsets: Uint32Array;
  readonly ids: Buffer;
}

/** A zeroed digest of `count` entries whose ids take `idBytes`, to be filled in order. */
export function allocateDigest(count: number, idBytes: number): FolderDigest {
  return {
    count,
    hashes: new Float64Array(count),
    prints: new Float64Array(count),
    offsets: new Uint32Array(count + 1),
    ids: Buffer.alloc(idBytes),
  };
}

/** The digest of a folder with no backups. */
export function emptyDigest(): FolderDigest {
  return allocateDigest(0, 0);
}

/** Entry `i`'s id. */
export function entryId(d: FolderDigest, i: number): string {
  return d.ids.toString('utf8', d.offsets[i], d.offsets[i + 1]);
}

/** Whether entry `i`'s id is exactly `id` (byte for byte in UTF-8). */
export function entryIdIs(d: FolderDigest, i: number, id: string): boolean {
  return bytesAreId(d.ids, d.offsets[i] ?? 0, d.offsets[i + 1] ?? 0, id);
}

/** Whether `bytes[from .. to)` are exactly the UTF-8 of `id`. */
export function bytesAreId(bytes: Uint8Array, from: number, to: number, id: string): boolean {
  if (to - from === id.length) {
    // ASCII fast path: no encoding, no allocation. Any other character falls through.
    let j = 0;
    for (; j < id.length; j++) {
      const c = id.charCodeAt(j);
      if (c >= 0x80) break;
      if (bytes[from + j] !== c) return false;
    }
    if (j === id.length) return true;
  }
  return Buffer.from(id, 'utf8').equals(bytes.subarray(from, to));
}

/** The first index in [from, to) whose hash is >= `hash` (`to` if none): a binary search. */
export function lowerBound(hashes: Float64Array, from: number, to: number, hash: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((hashes[mid] ?? 0) < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The entry of `id` (whose hash is `hash`) at or after `from`, or -1. Ids are compared
 * exactly, so ids that share a hash are told apart.
 */
function scan(d: FolderDigest, from: number, id: string, hash: number): number {
  for (let i = from; i < d.count && d.hashes[i] === hash; i++) {
    if (entryIdIs(d, i, id)) return i;
  }
  return -1;
}

/** The entry of `id` (whose hash is `hash`), or -1, by binary search. */
export function findEntry(d: FolderDigest, id: string, hash: number): number {
  return scan(d, lowerBound(d.hashes, 0, d.count, hash), id, hash);
}

/**
 * Where each range of hashes starts in a digest: about one entry per range, so a lookup is
 * a probe or two instead of log2(count) (hashes are uniform; skewed ones still work, with a
 * binary search inside a crowded range). Four bytes per entry.
 */
export interface HashIndex {
  /** Entry where range `r` starts; `ranges + 1` long. */
  readonly starts: Uint32Array;
  /** Range of hash `h`: `Math.floor(h * scale)`. */
  readonly scale: number;
}

/** The index of a digest's hashes, or null if they are not in ascending order (a corrupt digest). */
export function indexHashes(d: FolderDigest): HashIndex | null {
  let bits = 0;
  while (bits < 30 && 2 ** bits < d.count) bits++;
  const ranges = 2 ** bits;
  const scale = ranges / 2 ** 52;
  const starts = new Uint32Array(ranges + 1);
  let r = 0;
  let previous = 0;
  for (let i = 0; i < d.count; i++) {
    const h = d.hashes[i] ?? 0;
    if (h < previous) return null;
    previous = h;
    const range = Math.min(ranges - 1, Math.floor(h * scale));
    while (r <= range) starts[r++] = i;
  }
  while (r <= ranges) starts[r++] = d.count;
  return { starts, scale };
}

/** {@link findEntry} through an index of the digest's hashes. */
export function findIndexed(d: FolderDigest, index: HashIndex, id: string, hash: number): number {
  const { starts } = index;
  const range = Math.min(starts.length - 2, Math.floor(hash * index.scale));
  let i = starts[range] ?? 0;
  const end = starts[range + 1] ?? 0;
  if (end - i > 8) i = lowerBound(d.hashes, i, end, hash);
  else while (i < end && (d.hashes[i] ?? 0) < hash) i++;
  return scan(d, i, id, hash);
}
