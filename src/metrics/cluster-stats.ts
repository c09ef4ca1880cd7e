import type Database from 'better-sqlite3';

/** What the mirror holds for one source cluster of one folder. */
export interface ClusterStat {
  readonly folderId: string;
  readonly clusterId: string;
  /** Backups of the cluster in the mirror (>= 1: a cluster with none has no row). */
  readonly backups: number;
  /** created_at of its newest backup, seconds since the epoch with the nanos as a fraction; null when no backup carries one. */
  readonly newestCreatedSeconds: number | null;
}

/** The per-cluster figures and the log head they were computed at. */
export interface ClusterStats {
  readonly head: number;
  readonly clusters: readonly ClusterStat[];
}

interface ClusterRow {
  folder_id: string;
  source_cluster_id: string;
  backups: number;
  newest: number | null;
}

/**
 * Per-cluster backup counts and newest creation times, from one GROUP BY over the
 * backups projection. The projection only changes together with the event log, so the
 * result is cached and recomputed only when the log's head moved: a scrape of a big,
 * quiet mirror costs one primary-key lookup.
 */
export class ClusterStatsCache {
  private readonly query: Database.Statement;
  private cached: ClusterStats | null = null;

  constructor(db: Database.Database) {
    // A float sum keeps the nanos as a fraction without the int64 overflow of s*1e9+ns;
    // a double carries that epoch to ~0.2 us, finer than Prometheus needs.
    this.query = db.prepare(`SELECT folder_id, source_cluster_id, count(*) AS backups,
        max(created_s + coalesce(created_ns, 0) / 1000000000.0) AS newest
      FROM backups GROUP BY folder_id, source_cluster_id ORDER BY folder_id, source_cluster_id`);
  }

  /** The figures as of log head `head` (the caller reads the head; recomputed only when it differs from the last call's). */
  at(head: number): ClusterStats {
    if (this.cached !== null && this.cached.head === head) return this.cached;
    const rows = this.query.all() as ClusterRow[];
    const clusters = rows.map((r) => ({
      folderId: r.folder_id,
      clusterId: r.source_cluster_id,
      backups: r.backups,
      newestCreatedSeconds: r.newest,
    }));
    this.cached = { head, clusters };
    return this.cached;
  }
}
