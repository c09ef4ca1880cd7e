import type { Backup } from '../mirror/backup.js';
import { CatalogOverlay } from './catalog-overlay.js';
import { GeneratedCatalog } from './generated-catalog.js';
import type { CatalogShape } from './generated-catalog.js';

/**
 * The emulated cloud's backup catalog: the generated daily backups, as of the clock's
 * time, with the test overlay applied. Every read is computed on demand; listing order
 * is ascending backup id, the key the emulator pages by.
 */
export class Catalog {
  /** Folder ids of the generated cloud, in generation order. */
  readonly folderIds: readonly string[];
  private readonly generated: GeneratedCatalog;
  private readonly overlay = new CatalogOverlay();

  /**
   * @param shape seed and size of the generated cloud
   * @param now the clock, milliseconds since the epoch; reads default to its current value
   */
  constructor(shape: CatalogShape, private readonly now: () => number) {
    this.generated = new GeneratedCatalog(shape);
    this.folderIds = this.generated.folderIds;
  }

  /** Sorted cluster ids of a generated folder (empty for unknown folders). */
  clusterIds(folderId: string): readonly string[] {
    return this.generated.clusterIds(folderId);
  }

  /** All backups of a folder at `atMs` (default: now), ordered by id, produced lazily. */
  listAll(folderId: string, atMs: number = this.now()): Iterable<Backup> {
    return this.listAfter(folderId, '', atMs);
  }

  /** The folder's backups with id > `afterId` ('' = from the start), ordered by id, lazily. */
  *listAfter(folderId: string, afterId: string, atMs: number = this.now()): Generator<Backup> {
    const generated = this.visible(this.generated.backupsAfter(folderId, afterId, atMs));
    const added = this.overlay.addedAfter(folderId, afterId);
    let g = generated.next();
    let a = added.next();
    while (!g.done || !a.done) {
      if (!a.done && (g.done || a.value.id < g.value.id)) {
        yield a.value;
        a = added.next();
      } else if (!g.done) {
        yield g.value;
        g = generated.next();
      }
    }
  }

  /** The backup with this id at `atMs` (default: now), in any folder. */
  get(id: string, atMs: number = this.now()): Backup | undefined {
    const added = this.overlay.addedBackup(id);
    if (added !== undefined) return added;
    if (this.overlay.hides(id)) return undefined;
    const b = this.generated.get(id, atMs);
    return b === undefined ? undefined : this.overlay.present(b);
  }

  /** Number of backups in a folder at `atMs` (default: now); O(clusters + overlay), no listing. */
  count(folderId: string, atMs: number = this.now()): number {
    let n = this.generated.count(folderId, atMs) + this.overlay.addedCount(folderId);
    const shadowed = new Set<string>(this.overlay.hiddenIds());
    for (const b of this.overlay.addedAfter(folderId, '')) shadowed.add(b.id);
    for (const id of shadowed) {
      if (this.generated.get(id, atMs)?.folderId === folderId) n--;
    }
    return n;
  }

  /**
   * Adds a backup (e.g. a MANUAL one) that lists and reads like any other until deleted;
   * it is not subject to retention. Throws when the id is empty or already exists.
   */
  addBackup(backup: Backup): void {
    if (backup.id === '') throw new Error('addBackup: backup id must not be empty');
    if (this.get(backup.id) !== undefined) throw new Error(`addBackup: backup "${backup.id}" already exists`);
    this.overlay.putAdded(backup);
  }

  /** Deletes a backup; true when it existed (now). */
  deleteBackup(id: string): boolean {
    if (this.overlay.removeAdded(id)) return true;
    if (this.get(id) === undefined) return false;
    this.overlay.hide(id);
    return true;
  }

  /**
   * Replaces the fields of an existing backup (matched by id). A generated backup keeps
   * its place in retention: it still expires by its generated completion time.
   * Throws when no backup has the id now.
   */
  updateBackup(backup: Backup): void {
    if (this.overlay.addedBackup(backup.id) !== undefined) {
      this.overlay.putAdded(backup);
      return;
    }
    const current = this.get(backup.id);
    if (current === undefined) throw new Error(`updateBackup: no backup "${backup.id}"`);
    if (current.folderId === backup.folderId) {
      this.overlay.replace(backup);
    } else {
      // Moving folders changes list membership: hide it here and carry it as an added one.
      this.overlay.hide(backup.id);
      this.overlay.putAdded(backup);
    }
  }

  private *visible(source: Iterable<Backup>): Generator<Backup> {
    for (const b of source) {
      if (!this.overlay.hides(b.id)) yield this.overlay.present(b);
    }
  }
}
