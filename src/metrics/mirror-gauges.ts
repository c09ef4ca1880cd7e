import { Gauge, type Registry } from 'prom-client';
import type { FolderState } from '../store/folder-state.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { ClusterExposition } from './cluster-exposition.js';
import { ClusterStatsCache, type ClusterStats } from './cluster-stats.js';

/** What one scrape reads from the mirror, once for all the gauges below. */
interface MirrorSnapshot {
  readonly head: number;
  readonly folders: readonly string[];
  readonly states: ReadonlyMap<string, FolderState>;
  readonly clusters: ClusterStats;
}

/**
 * Reads the mirror at most once per scrape. prom-client calls every metric's `collect`
 * in the same synchronous turn of `Registry.metrics()`, so a snapshot memoised until the
 * next microtask is shared by all of them and never outlives the scrape.
 */
class MirrorReader {
  private readonly stats: ClusterStatsCache;
  private memo: MirrorSnapshot | null = null;

  constructor(private readonly store: MirrorStore, private readonly configured: readonly string[] | undefined) {
    this.stats = new ClusterStatsCache(store.db);
  }

  read(): MirrorSnapshot {
    if (this.memo !== null) return this.memo;
    const head = this.store.headSequence();
    const states = new Map(this.store.folderStates().map((s) => [s.folderId, s]));
    const folders = this.configured ?? [...states.keys()];
    this.memo = { head, folders, states, clusters: this.stats.at(head) };
    queueMicrotask(() => {
      this.memo = null;
    });
    return this.memo;
  }
}

/** The mirror-derived families kept outside the registry (see {@link ClusterExposition}). */
export interface MirrorFamilies {
  /**
   * Exposition text of the per-cluster families, as of the same mirror snapshot the
   * registry's collects use when `Registry.metrics()` is called in the same synchronous turn.
   */
  clusterText(): string;
}

/**
 * Registers the gauges computed from the mirror at scrape time (never from the cloud):
 * folder health, backup counts and the log head; the per-cluster families are returned
 * as text instead (see {@link ClusterExposition}). Only the folders in `configured` are
 * reported (all folders the mirror knows when undefined), so a folder dropped from the
 * configuration stops raising alerts.
 */
export function registerMirrorGauges(registry: Registry, store: MirrorStore, configured: readonly string[] | undefined, prefix: string): MirrorFamilies {
  const reader = new MirrorReader(store, configured);
  const registers = [registry];
  const wanted = configured === undefined ? null : new Set(configured);
  const reported = (folderId: string): boolean => wanted === null || wanted.has(folderId);
  const clusters = new ClusterExposition(prefix, reported);

  new Gauge({
    name: `${prefix}last_success_timestamp_seconds`,
    help: 'End of the last successful sync pass of the folder, seconds since the epoch (absent before the first).',
    labelNames: ['folder_id'] as const,
    registers,
    collect() {
      const snap = reader.read();
      this.reset();
      for (const folder of snap.folders) {
        const at = snap.states.get(folder)?.lastSuccessAt ?? null;
        if (at !== null) this.set({ folder_id: folder }, at / 1000);
      }
    },
  });

  new Gauge({
    name: `${prefix}folder_up`,
    help: '1 if the last sync pass of the folder succeeded, else 0 (also 0 before the first pass).',
    labelNames: ['folder_id'] as const,
    registers,
    collect() {
      const snap = reader.read();
      this.reset();
      for (const folder of snap.folders) {
        const s = snap.states.get(folder);
        const up = s !== undefined && s.lastError === null && s.lastSuccessAt !== null;
        this.set({ folder_id: folder }, up ? 1 : 0);
      }
    },
  });

  new Gauge({
    name: `${prefix}backups`,
    help: 'Backups of the folder in the mirror.',
    labelNames: ['folder_id'] as const,
    registers,
    collect() {
      const snap = reader.read();
      const counts = new Map<string, number>(snap.folders.map((f) => [f, 0]));
      for (const c of snap.clusters.clusters) {
        const n = counts.get(c.folderId);
        if (n !== undefined) counts.set(c.folderId, n + c.backups);
      }
      this.reset();
      for (const [folder, n] of counts) this.set({ folder_id: folder }, n);
    },
  });

  new Gauge({
    name: `${prefix}event_sequence`,
    help: 'Sequence number of the last event in the mirror log (0 when empty).',
    registers,
    collect() {
      this.set(reader.read().head);
    },
  });

  return { clusterText: () => clusters.text(reader.read().clusters) };
}
