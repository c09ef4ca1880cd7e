import type { DigestEntries } from './digest-entries.js';
import { allocateDigest, type FolderDigest } from './folder-digest.js';

/** Receives a digest's entries in ascending hash order. */
export interface DigestSink {
  /** The next entry; its id's UTF-8 bytes are `ids[from .. to)` (copy them, they are not yours). */
  append(hash: number, print: number, ids: Uint8Array, from: number, to: number): void;
}

/** What the digest after a pass holds: `base` entries flagged in `keep`, plus `added`. */
export interface DigestChange {
  readonly base: FolderDigest;
  /** One flag per base entry, non-zero to keep it. Its current `prints` are used, so a caller records changed content by updating them. */
  readonly keep: Uint8Array;
  /** Ids `base` lacks. */
  readonly added: DigestEntries;
}

/** Entries and id bytes the merged digest will have. */
export function mergedSize(change: DigestChange): { count: number; idBytes: number } {
  const { base, keep, added } = change;
  if (keep.length !== base.count) throw new RangeError(`keep has ${keep.length} flags for a digest of ${base.count} entries`);
  let count = added.count;
  let idBytes = added.totalIdBytes;
  for (let i = 0; i < base.count; i++) {
    if (keep[i] === 0) continue;
    count++;
    idBytes += (base.offsets[i + 1] ?? 0) - (base.offsets[i] ?? 0);
  }
  return { count, idBytes };
}

/**
 * Feeds the merged digest to `sink` entry by entry, in hash order. One linear merge: only
 * `added` is sorted (by buckets of hash, O(n)), so a pass that changed a few backups of a large folder
 * costs a walk over the digest, not a sort of it; and the result need not be held whole.
 */
export function mergeInto(change: DigestChange, sink: DigestSink): void {
  const { base, keep, added } = change;
  if (keep.length !== base.count) throw new RangeError(`keep has ${keep.length} flags for a digest of ${base.count} entries`);
  const order = added.sortedByHash();
  const { hashes: baseHashes, prints: basePrints, offsets: baseOffsets, ids: baseIds } = base;
  const { hashes: addHashes, prints: addPrints, offsets: addOffsets, ids: addIds } = added;
  const n = base.count;
  const m = order.length;
  let i = 0;
  let k = 0;
  let nextAdded = m > 0 ? (addHashes[order[0] ?? 0] ?? 0) : Infinity;
  while (i < n || k < m) {
    if (i < n && (baseHashes[i] ?? 0) <= nextAdded) {
      if (keep[i] !== 0) sink.append(baseHashes[i] ?? 0, basePrints[i] ?? 0, baseIds, baseOffsets[i] ?? 0, baseOffsets[i + 1] ?? 0);
      i++;
      continue;
    }
    const a = order[k] ?? 0;
    sink.append(nextAdded, addPrints[a] ?? 0, addIds, addOffsets[a] ?? 0, addOffsets[a + 1] ?? 0);
    k++;
    nextAdded = k < m ? (addHashes[order[k] ?? 0] ?? 0) : Infinity;
  }
}

/** Fills a digest allocated to its final size. */
class DigestFiller implements DigestSink {
  private j = 0;
  private pos = 0;

  constructor(readonly digest: FolderDigest) {}

  append(hash: number, print: number, ids: Uint8Array, from: number, to: number): void {
    const d = this.digest;
    d.hashes[this.j] = hash;
    d.prints[this.j] = print;
    d.offsets[this.j] = this.pos;
    for (let b = from; b < to; b++) d.ids[this.pos++] = ids[b] ?? 0; // ids are short: a loop beats a native call
    this.j++;
    d.offsets[this.j] = this.pos;
  }
}

/** The merged digest, in memory (see {@link mergeInto} to stream it instead). */
export function mergeDigest(change: DigestChange): FolderDigest {
  const { count, idBytes } = mergedSize(change);
  const filler = new DigestFiller(allocateDigest(count, idBytes));
  mergeInto(change, filler);
  return filler.digest;
}

/** A digest of exactly `entries` (a folder rebuilt from the mirror, or a first pass). */
export function digestOf(entries: DigestEntries): FolderDigest {
  return mergeDigest({ base: allocateDigest(0, 0), keep: new Uint8Array(0), added: entries });
}
