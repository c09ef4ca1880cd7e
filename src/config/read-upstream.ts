import type { RetryConfig, UpstreamConfig } from './config.js';
import { formatDuration } from './duration.js';
import type { Section } from './field-reader.js';
import { authKeys, readAuth } from './read-auth.js';

const upstreamKeys = ['endpoint', 'tls', 'ca_file', 'page_size', 'timeout', 'retry', 'auth'];
const retryKeys = ['max_attempts', 'initial_backoff', 'max_backoff'];

/** Reads `upstream` (see UpstreamConfig for units and defaults). */
export function readUpstream(root: Section): UpstreamConfig {
  const s = root.section('upstream', upstreamKeys);
  const endpoint = s.endpoint('endpoint', 'mdb.api.cloud.yandex.net:443');
  const tls = s.boolean('tls', true);
  const caFile = s.nullablePath('ca_file');
  // Extra roots without TLS would be silently ignored: more likely a mistake than intent.
  if (caFile !== null && !tls) s.fail('ca_file', `only applies when ${s.keyPath('tls')} is true`);
  return {
    endpoint,
    tls,
    caFile,
    pageSize: s.integer('page_size', 1000, 1, 1000),
    timeoutMs: s.duration('timeout', '10s', 1),
    retry: readRetry(s.section('retry', retryKeys)),
    auth: readAuth(s.section('auth', authKeys)),
  };
}

function readRetry(s: Section): RetryConfig {
  const maxAttempts = s.integer('max_attempts', 5, 1, 100);
  const initialBackoffMs = s.duration('initial_backoff', '250ms', 0);
  const maxBackoffMs = s.duration('max_backoff', '10s', 0);
  if (maxBackoffMs < initialBackoffMs) {
    const [min, got] = [formatDuration(initialBackoffMs), formatDuration(maxBackoffMs)];
    s.fail('max_backoff', `must be at least ${s.keyPath('initial_backoff')} (${min}) (got ${got})`);
  }
  return { maxAttempts, initialBackoffMs, maxBackoffMs };
}
