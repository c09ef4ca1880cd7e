import { DigestEntries } from './digest-entries.js';
import type { DigestChange, DigestSink } from './digest-merge.js';
import { entryId, findIndexed, indexHashes, type FolderDigest, type HashIndex } from './folder-digest.js';

// Flags per base entry.
const alive = 1; // in the mirror before this listing
const seen = 2; // listed by this listing
const modified = 4; // content differs from the base's: the delta must carry it

/** What a listed backup is to the mirror. */
export type Listed = 'new' | 'changed' | 'same' | 'duplicate';

/**
 * A folder's digest as stored — a base digest plus a delta of base entries removed and
 * entries upserted since — and one listing checked against it. The delta lets a pass that
 * changed little store little; the base is rewritten when the delta grows (see
 * {@link deltaSize}). All state is typed arrays: no object per backup.
 *
 * Use: load ({@link removeFromBase}, {@link upsert}), then {@link list} each listed backup,
 * then store either {@link writeDelta} or {@link nextBase}, once.
 */
export class DigestView {
  private readonly flags: Uint8Array;
  private readonly index: HashIndex;
  /** Mirrored entries the base lacks (upserted by the delta). */
  private readonly overlay = new DigestEntries();
  /** Per overlay entry: 1 once listed; allocated when the listing starts. */
  private overlaySeen: Uint8Array | null = null;
  /** Listed backups the mirror lacks. */
  private readonly fresh = new DigestEntries();
  private mirrored: number;
  private listedFromMirror = 0;
  private listedCount = 0;
  private finished = false;

  /**
   * @param base the stored base digest; this view updates its fingerprints in place.
   * @throws RangeError if the base's hashes are out of order (a corrupt digest: rebuild it).
   */
  constructor(readonly base: FolderDigest) {
    const index = indexHashes(base);
    if (index === null) throw new RangeError('digest hashes out of order');
    this.index = index;
    this.flags = new Uint8Array(base.count).fill(alive);
    this.mirrored = base.count;
  }

  /** Loading the delta: the base entry of `id` is not mirrored. Returns false if there is no such live entry (a corrupt delta). */
  removeFromBase(id: string, hash: number): boolean {
    this.checkLoading();
    const i = findIndexed(this.base, this.index, id, hash);
    if (i < 0 || this.flags[i] !== alive) return false;
    this.flags[i] = 0;
    this.mirrored--;
    return true;
  }

  /** Loading the delta: `id` is mirrored with fingerprint `print`. Returns false if it was already upserted (a corrupt delta). */
  upsert(id: string, hash: number, print: number): boolean {
    this.checkLoading();
    const i = findIndexed(this.base, this.index, id, hash);
    if (i >= 0) {
      const f = this.flags[i] ?? 0;
      if ((f & modified) !== 0) return false;
      if ((f & alive) === 0) this.mirrored++;
      this.flags[i] = alive | modified;
      this.base.prints[i] = print;
      return true;
    }
    if (!this.overlay.pushNew(id, hash, print)) return false;
    this.mirrored++;
    return true;
  }

  /** Backups mirrored before this listing. */
  get mirrorSize(): number {
    return this.mirrored;
  }

  /** Distinct backups listed so far: the folder's size after the pass. */
  get listed(): number {
    return this.listedCount;
  }

  /** Whether some mirrored backups have not been listed (removal candidates). */
  get hasMissing(): boolean {
    return this.listedFromMirror < this.mirrored;
  }

  /** Checks one listed backup against the mirror and records it as listed. */
  list(id: string, hash: number, print: number): Listed {
    const i = findIndexed(this.base, this.index, id, hash);
    if (i >= 0) {
      const f = this.flags[i] ?? 0;
      if ((f & seen) !== 0) return 'duplicate';
      this.listedCount++;
      if ((f & alive) !== 0) {
        this.listedFromMirror++;
        if (print === this.base.prints[i]) {
          this.flags[i] = f | seen;
          return 'same';
        }
      }
      this.flags[i] = f | seen | modified;
      this.base.prints[i] = print;
      return (f & alive) !== 0 ? 'changed' : 'new';
    }
    if (this.overlay.count > 0) {
      const j = this.overlay.indexOf(id, hash);
      if (j >= 0) {
        const marks = (this.overlaySeen ??= new Uint8Array(this.overlay.count));
        if (marks[j] === 1) return 'duplicate';
        marks[j] = 1;
        this.listedCount++;
        this.listedFromMirror++;
        if (print === this.overlay.prints[j]) return 'same';
        this.overlay.prints[j] = print;
        return 'changed';
      }
    }
    if (!this.fresh.pushNew(id, hash, print)) return 'duplicate';
    this.listedCount++;
    return 'new';
  }

  /** Calls `visit` with the id of each mirrored backup not listed (in no particular order). */
  forEachMissing(visit: (id: string) => void): void {
    for (let i = 0; i < this.base.count; i++) if (((this.flags[i] ?? 0) & (alive | seen)) === alive) visit(entryId(this.base, i));
    for (let j = 0; j < this.overlay.count; j++) if (this.overlaySeen?.[j] !== 1) visit(this.overlay.id(j));
  }

  /** Calls `visit` with each mirrored backup's id, hash and fingerprint, as the mirror was before this listing. */
  forEachMirrored(visit: (id: string, hash: number, print: number) => void): void {
    if (this.listedCount > 0 || this.finished) throw new Error('forEachMirrored describes the mirror before the listing: call it before list()');
    for (let i = 0; i < this.base.count; i++) if (((this.flags[i] ?? 0) & alive) !== 0) visit(entryId(this.base, i), this.base.hashes[i] ?? 0, this.base.prints[i] ?? 0);
    const o = this.overlay;
    for (let j = 0; j < o.count; j++) visit(o.id(j), o.hashes[j] ?? 0, o.prints[j] ?? 0);
  }

  /** Entries a delta from the base to the mirror after this listing would hold. */
  deltaSize(): number {
    let n = this.fresh.count;
    for (let i = 0; i < this.base.count; i++) {
      const f = this.flags[i] ?? 0;
      if ((f & seen) === 0 || (f & modified) !== 0) n++;
    }
    if (this.overlaySeen !== null) for (const m of this.overlaySeen) n += m;
    return n;
  }

  /**
   * The delta from the base to the mirror after this listing: base entries not listed go
   * to `removed` (in hash order), entries listed that the base lacks or holds with other
   * content go to `upserted`.
   */
  writeDelta(removed: DigestSink, upserted: DigestSink): void {
    this.finish();
    const { hashes, prints, offsets, ids } = this.base;
    for (let i = 0; i < this.base.count; i++) {
      const f = this.flags[i] ?? 0;
      if ((f & seen) === 0) removed.append(hashes[i] ?? 0, 0, ids, offsets[i] ?? 0, offsets[i + 1] ?? 0);
      else if ((f & modified) !== 0) upserted.append(hashes[i] ?? 0, prints[i] ?? 0, ids, offsets[i] ?? 0, offsets[i + 1] ?? 0);
    }
    this.forEachAdded((e, j) => upserted.append(e.hashes[j] ?? 0, e.prints[j] ?? 0, e.ids, e.offsets[j] ?? 0, e.offsets[j + 1] ?? 0));
  }

  /** The whole digest after this listing, as a merge to stream (see `mergeInto`). */
  nextBase(): DigestChange {
    this.finish();
    const keep = new Uint8Array(this.base.count);
    for (let i = 0; i < this.base.count; i++) keep[i] = ((this.flags[i] ?? 0) & seen) === 0 ? 0 : 1;
    const added = this.fresh;
    added.dropIndex(); // the listing is complete: its memory is better spent on the merge
    const o = this.overlay;
    for (let j = 0; j < o.count; j++) if (this.overlaySeen?.[j] === 1) added.push(o.id(j), o.hashes[j] ?? 0, o.prints[j] ?? 0);
    return { base: this.base, keep, added };
  }

  private forEachAdded(visit: (entries: DigestEntries, j: number) => void): void {
    for (let j = 0; j < this.overlay.count; j++) if (this.overlaySeen?.[j] === 1) visit(this.overlay, j);
    for (let j = 0; j < this.fresh.count; j++) visit(this.fresh, j);
  }

  private checkLoading(): void {
    if (this.listedCount > 0 || this.finished) throw new Error('the digest delta must be loaded before the listing starts');
  }

  private finish(): void {
    if (this.finished) throw new Error('a digest view is stored once');
    this.finished = true;
  }
}
