import type { Backup } from '../mirror/backup.js';
import { base32Id } from './hash.js';
import { clusterPlan, retainedBackupById, retainedBackups, retainedCount } from './backup-schedule.js';

/** Shape of the generated cloud: how many folders and clusters, under which seed. */
export interface CatalogShape {
  /** PRNG seed; same seed and shape give the same ids and backups. */
  readonly seed: number;
  /** Number of folders (>= 0). */
  readonly folders: number;
  /** Clusters in each folder (>= 0); each keeps about 7 daily backups. */
  readonly clustersPerFolder: number;
}

interface Folder {
  readonly id: string;
  /** Cluster ids sorted ascending: backup ids sort by cluster first, so this is the list order. */
  readonly clusterIds: readonly string[];
}

const idSuffixLength = 17;

/**
 * The synthetic part of the catalog: folder and cluster ids (stored, O(clusters)) and
 * their daily backups (never stored; computed per request from the clock time).
 */
export class GeneratedCatalog {
  readonly folderIds: readonly string[];
  private readonly seed: number;
  private readonly folders = new Map<string, Folder>();
  private readonly clusterFolder = new Map<string, string>();

  constructor(shape: CatalogShape) {
    checkCount('folders', shape.folders);
    checkCount('clustersPerFolder', shape.clustersPerFolder);
    this.seed = shape.seed >>> 0;
    const folderIds: string[] = [];
    for (let f = 0; f < shape.folders; f++) {
      const folderId = this.uniqueId('b1g', [1, f], (id) => this.folders.has(id));
      const clusterIds: string[] = [];
      for (let c = 0; c < shape.clustersPerFolder; c++) {
        const clusterId = this.uniqueId('c9q', [2, f, c], (id) => this.clusterFolder.has(id));
        this.clusterFolder.set(clusterId, folderId);
        clusterIds.push(clusterId);
      }
      clusterIds.sort(compareStrings);
      folderIds.push(folderId);
      this.folders.set(folderId, { id: folderId, clusterIds });
    }
    this.folderIds = folderIds;
  }

  /** Cluster ids of a folder in ascending order (empty for an unknown folder). */
  clusterIds(folderId: string): readonly string[] {
    return this.folders.get(folderId)?.clusterIds ?? [];
  }

  /** The folder a generated cluster lives in. */
  folderOfCluster(clusterId: string): string | undefined {
    return this.clusterFolder.get(clusterId);
  }

  /** The folder's generated backups retained at `atMs` with id > `afterId`, in id order, lazily. */
  *backupsAfter(folderId: string, afterId: string, atMs: number): Generator<Backup> {
    const ids = this.clusterIds(folderId);
    // Every backup id of cluster c lies in [c + ':', c + ';'), so skip clusters ending <= afterId.
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (`${ids[mid] ?? ''};` <= afterId) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < ids.length; i++) {
      const clusterId = ids[i];
      if (clusterId === undefined) break;
      for (const b of retainedBackups(clusterPlan(this.seed, folderId, clusterId), atMs)) {
        if (b.id > afterId) yield b;
      }
    }
  }

  /** Number of the folder's generated backups retained at `atMs` (O(clusters of the folder)). */
  count(folderId: string, atMs: number): number {
    let n = 0;
    for (const clusterId of this.clusterIds(folderId)) {
      n += retainedCount(clusterPlan(this.seed, folderId, clusterId), atMs);
    }
    return n;
  }

  /** The generated backup with this id if it is retained at `atMs`. */
  get(id: string, atMs: number): Backup | undefined {
    const colon = id.indexOf(':');
    if (colon < 0) return undefined;
    const clusterId = id.slice(0, colon);
    const folderId = this.clusterFolder.get(clusterId);
    if (folderId === undefined) return undefined;
    return retainedBackupById(clusterPlan(this.seed, folderId, clusterId), id, atMs);
  }

  /** A fresh `<prefix><17 base32>` id; re-drawn on the (astronomically rare) collision. */
  private uniqueId(prefix: string, path: readonly number[], taken: (id: string) => boolean): string {
    for (let attempt = 0; ; attempt++) {
      const id = base32Id(prefix, idSuffixLength, this.seed, [...path, attempt]);
      if (!taken(id)) return id;
    }
  }
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name}: must be a non-negative integer, got ${value}`);
}

// An explicit comparator: much faster than the default sort, which compares via toString.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
