import type { LogConfig, LogLevel, MetricsConfig, StoreConfig, SyncConfig } from './config.js';
import type { Section } from './field-reader.js';

/** The small sections: `store`, `sync`, `metrics`, `log` (see Config for units and defaults). */

export function readStore(root: Section): StoreConfig {
  return { path: root.section('store', ['path']).path('path', './data/mirror.db') };
}

export function readSync(root: Section): SyncConfig {
  const s = root.section('sync', ['run_on_start', 'concurrency', 'confirm_removals', 'pass_timeout']);
  return {
    runOnStart: s.boolean('run_on_start', true),
    concurrency: s.integer('concurrency', 4, 1, 64),
    confirmRemovals: s.boolean('confirm_removals', true),
    passTimeoutMs: s.duration('pass_timeout', '10m', 1),
  };
}

export function readMetrics(root: Section): MetricsConfig {
  return { listen: root.section('metrics', ['listen']).listen('listen', '127.0.0.1:9464') };
}

const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function readLog(root: Section): LogConfig {
  return { level: root.section('log', ['level']).oneOf('level', logLevels, 'info') };
}
