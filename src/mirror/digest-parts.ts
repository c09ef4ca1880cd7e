import type { DigestSink } from './digest-merge.js';
import { allocateDigest, type FolderDigest } from './folder-digest.js';

/**
 * The stored form of a digest (or of a delta's removed or upserted entries): a sequence of
 * parts, each a run of entries in stored order, so that neither writing nor reading needs a
 * second copy of the whole.
 * A part is: header (magic, format version, entries, id bytes; u32 each), hashes (f64),
 * fingerprints (f64), id offsets (u32, from the start of the whole stream's ids, so that
 * reading is a copy, not a loop), id bytes. Native byte order: the magic reads differently
 * on a machine of the other order, and the digest is then rebuilt.
 */
const magic = 0x444d4252; // "RBMD"
const formatVersion = 2;
const headerBytes = 16;

/** Entries per part: ~1 MB with cloud-shaped ids. */
export const entriesPerPart = 16_384;

/** Collects entries (a {@link DigestSink}) and hands out each full part, encoded. */
export class DigestPartWriter implements DigestSink {
  // Grown up to a part's size as entries come: most folders are small, most deltas tiny.
  private hashes = new Float64Array(64);
  private prints = new Float64Array(64);
  private offsets = new Uint32Array(64);
  private ids = Buffer.alloc(64 * 48);
  private entries = 0;
  private idBytes = 0;
  private total = 0;
  private totalIdBytes = 0;

  /** @param emit gets each part with its entry and id-byte counts; the buffer is its own. */
  constructor(private readonly emit: (part: Buffer, entries: number, idBytes: number) => void) {}

  append(hash: number, print: number, ids: Uint8Array, from: number, to: number): void {
    const len = to - from;
    if (this.idBytes + len > this.ids.length) {
      const grown = Buffer.alloc(Math.max(2 * this.ids.length, this.idBytes + len));
      this.ids.copy(grown, 0, 0, this.idBytes);
      this.ids = grown;
    }
    const e = this.entries;
    if (e === this.hashes.length) this.grow();
    this.hashes[e] = hash;
    this.prints[e] = print;
    this.offsets[e] = this.totalIdBytes + this.idBytes;
    const out = this.ids;
    let pos = this.idBytes;
    for (let b = from; b < to; b++) out[pos++] = ids[b] ?? 0;
    this.idBytes = pos;
    this.entries = e + 1;
    if (this.entries === entriesPerPart) this.flush();
  }

  /** Emits the last, partial part (an empty digest has no parts); returns the totals. */
  finish(): { count: number; idBytes: number } {
    if (this.entries > 0) this.flush();
    return { count: this.total, idBytes: this.totalIdBytes };
  }

  private grow(): void {
    const n = Math.min(entriesPerPart, 2 * this.hashes.length);
    const hashes = new Float64Array(n);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const prints = new Float64Array(n);
    prints.set(this.prints);
    this.prints = prints;
    const offsets = new Uint32Array(n);
    offsets.set(this.offsets);
    this.offsets = offsets;
  }

  private flush(): void {
    const n = this.entries;
    const buffer = new ArrayBuffer(headerBytes + 20 * n + this.idBytes);
    new Uint32Array(buffer, 0, 4).set([magic, formatVersion, n, this.idBytes]);
    new Float64Array(buffer, headerBytes, n).set(this.hashes.subarray(0, n));
    new Float64Array(buffer, headerBytes + 8 * n, n).set(this.prints.subarray(0, n));
    new Uint32Array(buffer, headerBytes + 16 * n, n).set(this.offsets.subarray(0, n));
    new Uint8Array(buffer, headerBytes + 20 * n).set(this.ids.subarray(0, this.idBytes));
    this.emit(Buffer.from(buffer), n, this.idBytes);
    this.total += n;
    this.totalIdBytes += this.idBytes;
    this.entries = 0;
    this.idBytes = 0;
  }
}

/** The whole stored form of a digest, as parts (for tests and small folders). */
export function encodeDigestParts(d: FolderDigest): Buffer[] {
  const parts: Buffer[] = [];
  const writer = new DigestPartWriter((part) => parts.push(part));
  for (let i = 0; i < d.count; i++) writer.append(d.hashes[i] ?? 0, d.prints[i] ?? 0, d.ids, d.offsets[i] ?? 0, d.offsets[i + 1] ?? 0);
  writer.finish();
  return parts;
}

/**
 * Reads stored parts back into one digest of `count` entries and `idBytes` of ids (the
 * totals recorded beside them). Returns null for anything that is not well-formed in this
 * format, totals included: the caller rebuilds. Checks the structure, not the hash order
 * (see `indexHashes`), nor every id offset: a part whose offsets start and end where they
 * must is taken as written.
 */
export function decodeDigestParts(parts: Iterable<Uint8Array>, count: number, idBytes: number): FolderDigest | null {
  const d = allocateDigest(count, idBytes);
  let j = 0;
  let pos = 0;
  const header = new Uint32Array(4);
  const headerView = new Uint8Array(header.buffer);
  // Copied through byte views: a part need not be 8-byte aligned where SQLite put it.
  const bytes = (array: Float64Array | Uint32Array, at: number, length: number): Uint8Array =>
    new Uint8Array(array.buffer, array.byteOffset + at * array.BYTES_PER_ELEMENT, length * array.BYTES_PER_ELEMENT);
  for (const part of parts) {
    if (part.length < headerBytes) return null;
    headerView.set(part.subarray(0, headerBytes));
    const [m = 0, v = 0, n = 0, partIdBytes = 0] = header;
    if (m !== magic || v !== formatVersion || n === 0 || part.length !== headerBytes + 20 * n + partIdBytes) return null;
    if (j + n > count || pos + partIdBytes > idBytes) return null;
    bytes(d.hashes, j, n).set(part.subarray(headerBytes, headerBytes + 8 * n));
    bytes(d.prints, j, n).set(part.subarray(headerBytes + 8 * n, headerBytes + 16 * n));
    bytes(d.offsets, j, n).set(part.subarray(headerBytes + 16 * n, headerBytes + 20 * n));
    if (d.offsets[j] !== pos || (d.offsets[j + n - 1] ?? 0) > pos + partIdBytes) return null;
    d.ids.set(part.subarray(headerBytes + 20 * n), pos);
    pos += partIdBytes;
    j += n;
  }
  if (j !== count || pos !== idBytes) return null;
  d.offsets[count] = pos;
  return d;
}
