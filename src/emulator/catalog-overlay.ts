import type { Backup } from '../mirror/backup.js';

/**
 * Test-made changes on top of the generated catalog: backups added by hand (e.g.
 * MANUAL ones), generated backups hidden (deleted) and generated backups with changed
 * fields. Added backups are not subject to retention; they stay until deleted.
 */
export class CatalogOverlay {
  private readonly added = new Map<string, Backup>();
  /** Ids of added backups per folder, kept sorted for keyset listing. */
  private readonly addedIds = new Map<string, string[]>();
  private readonly hidden = new Set<string>();
  private readonly replaced = new Map<string, Backup>();

  /** An added backup by id. */
  addedBackup(id: string): Backup | undefined {
    return this.added.get(id);
  }

  /** Whether a generated backup with this id is deleted or shadowed by an added one. */
  hides(id: string): boolean {
    return this.hidden.has(id) || this.added.has(id);
  }

  /** The generated backup as the overlay presents it (its replacement, if updated). */
  present(generated: Backup): Backup {
    return this.replaced.get(generated.id) ?? generated;
  }

  /** Ids of generated backups that are deleted (may include ones retention has since dropped). */
  hiddenIds(): Iterable<string> {
    return this.hidden;
  }

  /** Number of added backups in a folder. */
  addedCount(folderId: string): number {
    return this.addedIds.get(folderId)?.length ?? 0;
  }

  /** The folder's added backups with id > afterId, in id order. */
  *addedAfter(folderId: string, afterId: string): Generator<Backup> {
    const ids = this.addedIds.get(folderId) ?? [];
    for (let i = upperBound(ids, afterId); i < ids.length; i++) {
      const b = this.added.get(ids[i] ?? '');
      if (b !== undefined) yield b;
    }
  }

  /** Adds (or replaces) a backup of the overlay's own. */
  putAdded(b: Backup): void {
    this.removeAdded(b.id);
    this.added.set(b.id, b);
    let ids = this.addedIds.get(b.folderId);
    if (ids === undefined) {
      ids = [];
      this.addedIds.set(b.folderId, ids);
    }
    ids.splice(upperBound(ids, b.id), 0, b.id);
  }

  /** Removes an added backup; true when there was one. */
  removeAdded(id: string): boolean {
    const old = this.added.get(id);
    if (old === undefined) return false;
    this.added.delete(id);
    const ids = this.addedIds.get(old.folderId) ?? [];
    const at = upperBound(ids, id) - 1;
    if (ids[at] === id) ids.splice(at, 1);
    return true;
  }

  /** Hides a generated backup (and forgets any change made to it). */
  hide(id: string): void {
    this.hidden.add(id);
    this.replaced.delete(id);
  }

  /** Replaces the fields of a generated backup (same id, same folder). */
  replace(b: Backup): void {
    this.replaced.set(b.id, b);
  }
}

/** Index of the first element > key in a sorted array. */
function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? '') <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
