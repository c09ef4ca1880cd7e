import { bytesAreId } from './folder-digest.js';

const maxHash = 2 ** 52;

/**
 * Digest entries collected one by one (a listing's backups the digest lacks, or a folder
 * being rebuilt), in growable typed arrays: a million entries are a few buffers, not a
 * million objects. {@link pushNew} keeps ids distinct with an open-addressing table of
 * entry numbers keyed by hash, ids compared exactly.
 */
export class DigestEntries {
  private size = 0;
  private idBytes = 0;
  private hashArray = new Float64Array(64);
  private printArray = new Float64Array(64);
  private offsetArray = new Uint32Array(65);
  private idBuffer = Buffer.alloc(4096);
  /** Slot -> entry number + 1 (0: empty); null until {@link pushNew} is first used. */
  private slots: Uint32Array | null = null;

  /** Entries pushed so far. */
  get count(): number {
    return this.size;
  }

  /** Bytes their ids take in UTF-8. */
  get totalIdBytes(): number {
    return this.idBytes;
  }

  get hashes(): Float64Array {
    return this.hashArray;
  }

  get prints(): Float64Array {
    return this.printArray;
  }

  /** Entry `i`'s id is `ids[offsets[i] .. offsets[i + 1])`. */
  get offsets(): Uint32Array {
    return this.offsetArray;
  }

  get ids(): Buffer {
    return this.idBuffer;
  }

  /**
   * Appends an entry whose id the caller knows is not among the entries yet.
   * @throws RangeError if `hash` or `print` is not an integer in [0, 2^52).
   */
  push(id: string, hash: number, print: number): void {
    if (!(Number.isInteger(hash) && hash >= 0 && hash < maxHash)) throw new RangeError(`hash of id ${id} must be an integer in [0, 2^52), got ${hash}`);
    if (!(Number.isInteger(print) && print >= 0 && print < maxHash)) throw new RangeError(`fingerprint of ${id} must be an integer in [0, 2^52), got ${print}`);
    if (this.size === this.hashArray.length) this.growEntries();
    const need = this.idBytes + 3 * id.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (need > this.idBuffer.length) this.growIds(need);
    this.hashArray[this.size] = hash;
    this.printArray[this.size] = print;
    this.idBytes = writeId(this.idBuffer, this.idBytes, id);
    this.size++;
    this.offsetArray[this.size] = this.idBytes;
    if (this.slots === null) return;
    if (4 * this.size > 3 * this.slots.length) this.rehash(); // load <= 3/4
    else this.index(this.size - 1);
  }

  /** Appends the entry unless its id is already there; returns whether it was appended. */
  pushNew(id: string, hash: number, print: number): boolean {
    if (this.indexOf(id, hash) >= 0) return false;
    this.push(id, hash, print);
    return true;
  }

  /** Entry `i`'s id. */
  id(i: number): string {
    return this.idBuffer.toString('utf8', this.offsetArray[i], this.offsetArray[i + 1]);
  }

  /** The entry of `id` (whose hash is `hash`), or -1; ids compared exactly. */
  indexOf(id: string, hash: number): number {
    const slots = this.slots ?? this.rehash();
    const mask = slots.length - 1;
    for (let s = (hash >>> 0) & mask; ; s = (s + 1) & mask) {
      const e = slots[s] ?? 0;
      if (e === 0) return -1;
      if (this.hashArray[e - 1] === hash && bytesAreId(this.idBuffer, this.offsetArray[e - 1] ?? 0, this.offsetArray[e] ?? 0, id)) return e - 1;
    }
  }

  /** Frees the table that keeps ids distinct (once no more lookups will come); it is rebuilt if one does. */
  dropIndex(): void {
    this.slots = null;
  }

  /** Entry indices in ascending hash order (see {@link sortByHash}). */
  sortedByHash(): Uint32Array {
    return sortByHash(this.hashArray, this.size);
  }

  private index(e: number): void {
    const slots = this.slots;
    if (slots === null) return;
    const mask = slots.length - 1;
    let s = ((this.hashArray[e] ?? 0) >>> 0) & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = e + 1;
  }

  private rehash(): Uint32Array {
    let capacity = 1024;
    while (capacity < 2 * (this.size + 1)) capacity *= 2;
    this.slots = new Uint32Array(capacity);
    for (let e = 0; e < this.size; e++) this.index(e);
    return this.slots;
  }

  private growEntries(): void {
    const n = this.hashArray.length * 2;
    const hashes = new Float64Array(n);
    hashes.set(this.hashArray);
    this.hashArray = hashes;
    const prints = new Float64Array(n);
    prints.set(this.printArray);
    this.printArray = prints;
    const offsets = new Uint32Array(n + 1);
    offsets.set(this.offsetArray);
    this.offsetArray = offsets;
  }

  private growIds(need: number): void {
    // 1.5x: a million ids are ~40 MB, and doubling would leave up to half of that unused.
    const ids = Buffer.alloc(Math.max(need, Math.floor(this.idBuffer.length * 1.5)));
    this.idBuffer.copy(ids, 0, 0, this.idBytes);
    this.idBuffer = ids;
  }
}

/** Writes `id` as UTF-8 at `at` (room checked by the caller); returns the end. */
function writeId(buffer: Buffer, at: number, id: string): number {
  // ASCII in a loop: a native call per id costs more than a short copy.
  let pos = at;
  for (let j = 0; j < id.length; j++) {
    const c = id.charCodeAt(j);
    if (c >= 0x80) return at + buffer.write(id, at, 'utf8');
    buffer[pos++] = c;
  }
  return pos;
}

/**
 * The indices 0..count-1 ordered by ascending `hashes[i]` (integers in [0, 2^52)). Hashes
 * are uniform, so a counting sort on their top bits leaves buckets of one or two, finished by
 * insertion; an oversized bucket (skewed hashes) is sorted by comparison instead, so the
 * worst case stays O(n log n).
 */
export function sortByHash(hashes: Float64Array, count: number): Uint32Array {
  const order = new Uint32Array(count);
  if (count < 2) return order; // [] or [0]
  let bits = 1;
  while (bits < 24 && 1 << bits < count) bits++;
  const scale = 2 ** bits / 2 ** 52;
  const buckets = 1 << bits;
  const bucketOf = new Uint32Array(count);
  const starts = new Uint32Array(buckets + 1);
  for (let i = 0; i < count; i++) {
    const b = Math.min(buckets - 1, Math.floor((hashes[i] ?? 0) * scale));
    bucketOf[i] = b;
    starts[b + 1] = (starts[b + 1] ?? 0) + 1;
  }
  for (let b = 0; b < buckets; b++) starts[b + 1] = (starts[b + 1] ?? 0) + (starts[b] ?? 0);
  const next = starts.slice(0, buckets);
  for (let i = 0; i < count; i++) {
    const b = bucketOf[i] ?? 0;
    const at = next[b] ?? 0;
    order[at] = i;
    next[b] = at + 1;
  }
  for (let b = 0; b < buckets; b++) {
    const from = starts[b] ?? 0;
    const to = starts[b + 1] ?? 0;
    if (to - from < 2) continue;
    if (to - from > 32) {
      order.subarray(from, to).sort((x, y) => (hashes[x] ?? 0) - (hashes[y] ?? 0));
      continue;
    }
    for (let x = from + 1; x < to; x++) {
      const e = order[x] ?? 0;
      const h = hashes[e] ?? 0;
      let y = x - 1;
      while (y >= from && (hashes[order[y] ?? 0] ?? 0) > h) {
        order[y + 1] = order[y] ?? 0;
        y--;
      }
      order[y + 1] = e;
    }
  }
  return order;
}
