import type { ClusterStats } from './cluster-stats.js';

/**
 * The per-cluster metric families as exposition text, rendered once per log head.
 *
 * A big mirror has thousands of clusters; formatting their series through prom-client on
 * every scrape would cost milliseconds per thousand, for figures that only change when a
 * pass commits. So these two families bypass the registry: their text is built when the
 * head moves and reused until it moves again. A cluster whose backups are all gone has
 * no row in the stats, so its series vanish with the next head.
 *
 * The text is the same in both exposition formats (gauges, no `_total`, no blank lines).
 */
export class ClusterExposition {
  private cachedHead = -1;
  private cachedText = '';

  constructor(private readonly prefix: string, private readonly reported: (folderId: string) => boolean) {}

  /** Both families for `stats`, ending in a newline. */
  text(stats: ClusterStats): string {
    if (stats.head === this.cachedHead) return this.cachedText;
    const counts: string[] = [];
    const newest: string[] = [];
    const countName = `${this.prefix}cluster_backups`;
    const newestName = `${this.prefix}cluster_newest_backup_timestamp_seconds`;
    for (const c of stats.clusters) {
      if (!this.reported(c.folderId)) continue;
      const labels = `{folder_id="${escapeLabel(c.folderId)}",source_cluster_id="${escapeLabel(c.clusterId)}"}`;
      counts.push(`${countName}${labels} ${c.backups}\n`);
      if (c.newestCreatedSeconds !== null) newest.push(`${newestName}${labels} ${formatValue(c.newestCreatedSeconds)}\n`);
    }
    this.cachedText =
      `# HELP ${countName} Backups of the source cluster in the mirror.\n# TYPE ${countName} gauge\n${counts.join('')}` +
      `# HELP ${newestName} created_at of the newest backup of the source cluster in the mirror, seconds since the epoch.\n` +
      `# TYPE ${newestName} gauge\n${newest.join('')}`;
    this.cachedHead = stats.head;
    return this.cachedText;
  }
}

/** Label values escape backslash, double quote and newline (both formats agree). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
