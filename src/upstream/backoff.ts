/** Parameters of a capped exponential backoff. */
export interface BackoffPolicy {
  /** Ceiling of the first retry's delay, in milliseconds (>= 0). */
  readonly initialMs: number;
  /** Largest delay ever returned, in milliseconds (>= 0). */
  readonly maxMs: number;
  /** Growth factor of the ceiling per retry (>= 1); default 2. */
  readonly multiplier?: number;
}

function requireNonNegative(value: number, field: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`backoff policy: ${field} must be a finite number >= 0, got ${value}`);
  }
}

/**
 * Delay before retry number `attempt` (1-based), in whole milliseconds.
 *
 * The ceiling grows as `initialMs * multiplier^(attempt - 1)` and is capped at `maxMs`.
 * "Equal jitter" is applied: the delay is drawn uniformly from [ceiling/2, ceiling].
 * Equal rather than full jitter because callers use it to avoid hammering a failing
 * service: half the ceiling is a guaranteed pause, the other half spreads clients apart.
 * The result is never negative and never above `maxMs`.
 *
 * @param attempt 1 for the first retry; values below 1 (or NaN) are treated as 1.
 * @param random source of uniform numbers in [0, 1); out-of-range values are clamped.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const multiplier = policy.multiplier ?? 2;
  requireNonNegative(policy.initialMs, 'initialMs');
  requireNonNegative(policy.maxMs, 'maxMs');
  if (!Number.isFinite(multiplier) || multiplier < 1) {
    throw new RangeError(`backoff policy: multiplier must be a finite number >= 1, got ${multiplier}`);
  }
  const n = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  // Overflow to Infinity is harmless: the cap below applies.
  const ceiling = Math.min(policy.maxMs, policy.initialMs * multiplier ** (n - 1));
  const drawn = random();
  const r = Number.isFinite(drawn) ? Math.min(Math.max(drawn, 0), 1) : 0;
  const delay = Math.floor(ceiling / 2 + (r * ceiling) / 2);
  return Math.min(Math.max(delay, 0), policy.maxMs);
}
