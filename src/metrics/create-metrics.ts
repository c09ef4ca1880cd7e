import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MirrorStore } from '../store/mirror-store.js';
import type { PassOutcome } from '../sync/sync-folder.js';
import type { CallRecord } from '../upstream/call-unary.js';
import { version as buildVersion } from '../version.js';
import { registerMirrorGauges } from './mirror-gauges.js';
import { MetricsRenderer, type MetricsFormat, type RenderedMetrics } from './render-metrics.js';

/** Prefix of every metric of the mirror's own (the default process metrics have none). */
export const metricPrefix = 'redis_backup_mirror_';

/** Buckets of a folder pass, seconds: 50 ms to the 10 min pass deadline. */
export const syncDurationBuckets: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/** Buckets of one upstream call, seconds: 5 ms to beyond the 10 s default deadline. */
export const upstreamDurationBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const eventTypes = ['added', 'removed', 'updated'] as const;

export interface MetricsOptions {
  /**
   * The configured folder ids. Folder and cluster gauges report exactly these, and their
   * counters start at 0. Default: every folder the mirror has a state for.
   */
  readonly folders?: readonly string[];
  /** Register prom-client's default process and Node.js metrics (unprefixed). Default true. */
  readonly defaultMetrics?: boolean;
  /** Value of the `version` label of `redis_backup_mirror_build_info`. Default this build's version. */
  readonly version?: string;
}

/** The daemon's metrics: recorded by the sync loop and upstream client, read from the mirror at scrape time. */
export interface MirrorMetrics {
  /**
   * The metrics' own registry (never prom-client's global one). More metrics may be
   * registered on it. Render through {@link MirrorMetrics.render} only: it adds the
   * per-cluster families, which are kept outside the registry as cached text, and keeps
   * the two exposition formats from disturbing each other.
   */
  readonly registry: Registry;
  /** Counts one finished folder pass (successful or not): attempts, failures, duration, events, anomalies. */
  recordPass(outcome: PassOutcome): void;
  /** Counts one upstream gRPC call and observes its duration. */
  recordUpstreamCall(record: CallRecord): void;
  /** Counts a scheduler tick skipped because the previous pass was still running. */
  recordSkippedTick(): void;
  /** The exposition of every metric in `format`, with its Content-Type. */
  render(format: MetricsFormat): Promise<RenderedMetrics>;
}

/**
 * prom-client's default process and Node.js metrics, minus its gauges named `*_total`
 * (`nodejs_active_handles_total` and kin): Prometheus reserves that suffix for counters
 * and `promtool check metrics` rejects them. Their per-type breakdowns stay.
 */
function addDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const metric of registry.getMetricsAsArray()) {
    const type: unknown = metric.type;
    if (type !== 'counter' && metric.name.endsWith('_total')) registry.removeSingleMetric(metric.name);
  }
}

/**
 * Creates the metrics of a mirror over `store`. Counters and histograms are fed by the
 * record methods; folder health, backup counts and per-cluster newest backups are read
 * from the store on each scrape (cached while the log head stays put), never from the cloud.
 * No label carries a backup id or a secret.
 */
export function createMetrics(store: MirrorStore, options: MetricsOptions = {}): MirrorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const p = metricPrefix;
  if (options.defaultMetrics ?? true) addDefaultMetrics(registry);

  const attempts = new Counter({ name: `${p}sync_attempts_total`, help: 'Sync passes started over the folder.', labelNames: ['folder_id'] as const, registers });
  const failures = new Counter({ name: `${p}sync_failures_total`, help: 'Sync passes over the folder that failed (nothing committed).', labelNames: ['folder_id'] as const, registers });
  const duration = new Histogram({
    name: `${p}sync_duration_seconds`,
    help: 'Duration of a sync pass over the folder, successful or not, in seconds.',
    labelNames: ['folder_id'] as const,
    buckets: [...syncDurationBuckets],
    registers,
  });
  const events = new Counter({ name: `${p}events_total`, help: 'Events appended to the mirror log by this process, by type.', labelNames: ['type'] as const, registers });
  const duplicates = new Counter({
    name: `${p}duplicate_items_total`,
    help: 'Listed items dropped because the same backup id was already listed in the pass.',
    labelNames: ['folder_id'] as const,
    registers,
  });
  const unconfirmed = new Counter({
    name: `${p}unconfirmed_removals_total`,
    help: 'Backups missing from a listing that Get still found, so kept instead of removed.',
    labelNames: ['folder_id'] as const,
    registers,
  });
  const requests = new Counter({ name: `${p}upstream_requests_total`, help: 'Upstream gRPC calls by method and status code.', labelNames: ['method', 'code'] as const, registers });
  const requestDuration = new Histogram({
    name: `${p}upstream_request_duration_seconds`,
    help: 'Duration of one upstream gRPC call, in seconds.',
    labelNames: ['method'] as const,
    buckets: [...upstreamDurationBuckets],
    registers,
  });
  const skipped = new Counter({ name: `${p}skipped_ticks_total`, help: 'Scheduled ticks skipped because the previous pass was still running.', registers });
  new Gauge({ name: `${p}build_info`, help: 'Always 1; the labels describe this build.', labelNames: ['version'] as const, registers }).set({ version: options.version ?? buildVersion }, 1);

  // Series that exist from the start make rate() and increase() see the first increment.
  for (const type of eventTypes) events.inc({ type }, 0);
  skipped.inc(0);
  for (const folder of options.folders ?? []) {
    const labels = { folder_id: folder };
    attempts.inc(labels, 0);
    failures.inc(labels, 0);
    duplicates.inc(labels, 0);
    unconfirmed.inc(labels, 0);
    duration.zero(labels);
  }

  const mirror = registerMirrorGauges(registry, store, options.folders, p);
  const renderer = new MetricsRenderer(registry, () => mirror.clusterText());

  return {
    registry,
    recordPass(outcome) {
      const labels = { folder_id: outcome.folderId };
      attempts.inc(labels);
      if (!outcome.ok) failures.inc(labels);
      duration.observe(labels, Math.max(0, outcome.durationMs) / 1000);
      events.inc({ type: 'added' }, outcome.added);
      events.inc({ type: 'removed' }, outcome.removed);
      events.inc({ type: 'updated' }, outcome.updated);
      duplicates.inc(labels, outcome.duplicates);
      unconfirmed.inc(labels, outcome.unconfirmedRemovals);
    },
    recordUpstreamCall(record) {
      requests.inc({ method: record.method, code: record.code });
      requestDuration.observe({ method: record.method }, record.durationSeconds);
    },
    recordSkippedTick() {
      skipped.inc();
    },
    render: (format) => renderer.render(format),
  };
}
