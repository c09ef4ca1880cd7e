import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { sleep as realSleep } from '../sleep.js';
import { AuthError } from './auth-error.js';
import { redactSecrets } from './redact.js';
import type { FetchedToken, TokenSource } from './token-source.js';

export interface TokenCacheOptions {
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Waits `ms` (clock milliseconds) or rejects when `signal` aborts; default a real timer. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) numbers for backoff jitter; default `Math.random`. */
  readonly random?: () => number;
  /** Refresh once a token is this old, in ms; default 1 hour. 0 refreshes on every get(). */
  readonly refreshAfterMs?: number;
  /**
   * Refresh this long before a known expiry, in ms; default 10 minutes. Capped at half
   * the token's lifetime so that short-lived tokens are not refreshed on every get().
   */
  readonly refreshBeforeExpiryMs?: number;
  /** A token is used only while more than this remains before its expiry, in ms; default 30 s. */
  readonly expiryMarginMs?: number;
  /** Spacing of attempts after failed refreshes; default 1 s doubling up to 60 s, equal jitter. */
  readonly retry?: BackoffPolicy;
}

interface Entry {
  readonly token: string;
  readonly expiresAt: number | null;
  /** Clock time the token was received. */
  readonly obtainedAt: number;
}

/** Rejects as soon as `signal` aborts, without cancelling the shared `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Caches the token of one {@link TokenSource} and refreshes it ahead of time.
 *
 * - A token is refreshed when it is `refreshAfterMs` old (1 h) or within
 *   `refreshBeforeExpiryMs` (10 min) of its expiry, whichever comes first; tokens of
 *   unknown expiry are refreshed at the age limit only. The refresh happens inside the
 *   get() that notices it is due; that get() waits for it.
 * - Concurrent get() calls share one in-flight refresh.
 * - A failed refresh while the old token is still valid returns the old token; further
 *   attempts are spaced by {@link backoffDelay} so a failing source is not hammered.
 * - Without a valid token a failed refresh rejects with an {@link AuthError} naming the
 *   source; a get() arriving during the backoff pause waits it out (abortably) and tries once.
 * - A token is never returned once less than `expiryMarginMs` of its life remains.
 */
export class TokenCache {
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly refreshAfterMs: number;
  private readonly refreshBeforeExpiryMs: number;
  private readonly expiryMarginMs: number;
  private readonly retry: BackoffPolicy;
  private readonly closing = new AbortController();

  private current: Entry | null = null;
  private inflight: Promise<Entry> | null = null;
  private failures = 0;
  private nextAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: AuthError | null = null;

  constructor(
    private readonly source: TokenSource,
    options: TokenCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.refreshAfterMs = options.refreshAfterMs ?? 60 * 60_000;
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 10 * 60_000;
    this.expiryMarginMs = options.expiryMarginMs ?? 30_000;
    this.retry = options.retry ?? { initialMs: 1_000, maxMs: 60_000 };
  }

  /** Where tokens come from (no secret). */
  get description(): string {
    return this.source.description;
  }

  /** A valid token, refreshed first when due. `signal` abandons the wait (not a shared refresh). */
  async get(signal: AbortSignal): Promise<string> {
    let waited = false;
    for (;;) {
      if (this.closing.signal.aborted) throw this.closing.signal.reason;
      signal.throwIfAborted();
      const now = this.now();
      const held = this.current;
      if (held !== null && this.isUsable(held, now)) {
        if (!this.isDue(held, now)) return held.token;
        if (this.inflight === null && now < this.nextAttemptAt) return held.token;
        try {
          return (await this.join(signal)).token;
        } catch (err) {
          if (signal.aborted || this.closing.signal.aborted) throw err;
          if (this.current === held && this.isUsable(held, this.now())) return held.token;
          throw err;
        }
      }
      if (this.inflight !== null || now >= this.nextAttemptAt) return (await this.join(signal)).token;
      // Another attempt failed while this call was waiting: share its outcome, do not retry early.
      if (waited) throw this.lastError ?? new AuthError(`no IAM token from ${this.source.description}`, true);
      await this.sleep(this.nextAttemptAt - now, AbortSignal.any([signal, this.closing.signal]));
      waited = true;
    }
  }

  /**
   * Drops the cached token so that the next get() refreshes (for when the cloud answers
   * UNAUTHENTICATED). With `token`, only drops it if it is still the cached one, so a
   * late complaint about an already replaced token costs nothing.
   */
  invalidate(token?: string): void {
    if (token !== undefined && this.current?.token !== token) return;
    this.current = null;
  }

  /** Cancels any refresh in flight; later get() calls reject. */
  close(): void {
    this.current = null;
    this.closing.abort(new AuthError(`token provider for ${this.source.description} is closed`, false));
  }

  private isUsable(entry: Entry, now: number): boolean {
    return entry.expiresAt === null || now < entry.expiresAt - this.expiryMarginMs;
  }

  private isDue(entry: Entry, now: number): boolean {
    if (now - entry.obtainedAt >= this.refreshAfterMs) return true;
    if (entry.expiresAt === null) return false;
    const ahead = Math.min(this.refreshBeforeExpiryMs, (entry.expiresAt - entry.obtainedAt) / 2);
    return now >= entry.expiresAt - ahead;
  }

  private join(signal: AbortSignal): Promise<Entry> {
    let flight = this.inflight;
    if (flight === null) {
      const started = this.refresh();
      const clear = (): void => {
        if (this.inflight === started) this.inflight = null;
      };
      // Handles the rejection too, so an abandoned refresh is never an unhandled rejection.
      void started.then(clear, clear);
      this.inflight = started;
      flight = started;
    }
    return abortable(flight, signal);
  }

  private async refresh(): Promise<Entry> {
    const signal = this.closing.signal;
    let fetched: FetchedToken;
    try {
      fetched = await this.source.fetch(signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw this.fail(err);
    }
    const now = this.now();
    const entry: Entry = { token: fetched.token, expiresAt: fetched.expiresAt, obtainedAt: now };
    if (fetched.token === '') throw this.fail(new AuthError('the source returned an empty token', true));
    if (!this.isUsable(entry, now)) {
      throw this.fail(new AuthError('the source returned a token that has expired or is about to', true));
    }
    if (signal.aborted) throw signal.reason;
    this.current = entry;
    this.failures = 0;
    this.nextAttemptAt = Number.NEGATIVE_INFINITY;
    this.lastError = null;
    return entry;
  }

  /** Records a failed refresh, schedules the next attempt, returns the error to report. */
  private fail(err: unknown): AuthError {
    this.failures += 1;
    this.nextAttemptAt = this.now() + backoffDelay(this.failures, this.retry, this.random);
    // Our own AuthErrors are secret-free by construction; anything else is redacted.
    const reason =
      err instanceof AuthError
        ? err.message
        : `unexpected ${err instanceof Error ? err.name : 'error'}: ${redactSecrets(err instanceof Error ? err.message : String(err))}`;
    const error = new AuthError(
      `cannot obtain an IAM token from ${this.source.description}: ${reason}`,
      err instanceof AuthError ? err.retryable : true,
      err instanceof AuthError ? { cause: err } : undefined,
    );
    this.lastError = error;
    return error;
  }
}
