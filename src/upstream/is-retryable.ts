import * as grpc from '@grpc/grpc-js';

/**
 * Status codes after which repeating a read-only cloud call is safe and may succeed:
 * the cloud documents UNAVAILABLE ("try again in a few seconds") and RESOURCE_EXHAUSTED
 * (request limit); DEADLINE_EXCEEDED and INTERNAL are transient on idempotent reads.
 */
const retryable: ReadonlySet<grpc.status> = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.INTERNAL,
]);

/** True when a call that failed with `code` may be retried (after a backoff delay). */
export function isRetryable(code: grpc.status): boolean {
  return retryable.has(code);
}
