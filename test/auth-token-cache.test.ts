import test from 'ava';
import { AuthError } from '../src/upstream/auth/auth-error.js';
import { TokenCache, type TokenCacheOptions } from '../src/upstream/auth/token-cache.js';
import type { FetchedToken, TokenSource } from '../src/upstream/auth/token-source.js';

const minute = 60_000;
const hour = 60 * minute;

/** A fake clock; sleep() advances it instead of waiting. */
class FakeClock {
  t = Date.UTC(2026, 0, 1);
  sleeps: number[] = [];
  now = (): number => this.t;
  sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  };
}

/** A token source scripted by the test: answers, failures, and a gate to hold fetches open. */
class ScriptedSource implements TokenSource {
  readonly description = 'scripted source';
  calls = 0;
  failing: Error | null = null;
  lifetimeMs: number | null = 12 * hour;
  gate: Promise<void> | null = null;
  lastSignal: AbortSignal | null = null;
  /** Expiry of every token handed out. */
  readonly issued = new Map<string, number | null>();

  constructor(private readonly clock: FakeClock) {}

  async fetch(signal: AbortSignal): Promise<FetchedToken> {
    this.calls += 1;
    this.lastSignal = signal;
    const n = this.calls;
    if (this.gate !== null) await this.gate;
    signal.throwIfAborted();
    if (this.failing !== null) throw this.failing;
    const token = `tok-${n}`;
    const expiresAt = this.lifetimeMs === null ? null : this.clock.t + this.lifetimeMs;
    this.issued.set(token, expiresAt);
    return { token, expiresAt };
  }
}

function setup(options: TokenCacheOptions = {}): { clock: FakeClock; source: ScriptedSource; cache: TokenCache } {
  const clock = new FakeClock();
  const source = new ScriptedSource(clock);
  const cache = new TokenCache(source, { now: clock.now, sleep: clock.sleep, random: () => 0, ...options });
  return { clock, source, cache };
}

function gate(): { open: () => void; promise: Promise<void> } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, promise };
}

const live = (): AbortSignal => new AbortController().signal;

test('a fresh token is served from the cache', async (t) => {
  const { source, cache } = setup();
  t.is(await cache.get(live()), 'tok-1');
  t.is(await cache.get(live()), 'tok-1');
  t.is(source.calls, 1);
});

test('a long-lived token is refreshed when one hour old', async (t) => {
  const { clock, source, cache } = setup();
  t.is(await cache.get(live()), 'tok-1');
  clock.t += hour - 1;
  t.is(await cache.get(live()), 'tok-1');
  clock.t += 1;
  t.is(await cache.get(live()), 'tok-2');
  t.is(source.calls, 2);
});

test('a 30-minute token is refreshed 10 minutes before it expires', async (t) => {
  const { clock, source, cache } = setup();
  source.lifetimeMs = 30 * minute;
  t.is(await cache.get(live()), 'tok-1');
  clock.t += 20 * minute - 1;
  t.is(await cache.get(live()), 'tok-1');
  clock.t += 1;
  t.is(await cache.get(live()), 'tok-2');
});

test('a token of unknown expiry is refreshed hourly', async (t) => {
  const { clock, source, cache } = setup();
  source.lifetimeMs = null;
  t.is(await cache.get(live()), 'tok-1');
  clock.t += 59 * minute;
  t.is(await cache.get(live()), 'tok-1');
  clock.t += minute;
  t.is(await cache.get(live()), 'tok-2');
});

test('a short-lived token is refreshed at half its life, not on every get', async (t) => {
  const { clock, source, cache } = setup();
  source.lifetimeMs = 4 * minute;
  await cache.get(live());
  for (let i = 0; i < 10; i += 1) {
    clock.t += 10_000;
    await cache.get(live());
  }
  // 100 s elapsed, refresh point at 120 s: still the first token.
  t.is(source.calls, 1);
  clock.t += 20_000;
  t.is(await cache.get(live()), 'tok-2');
});

test('50 concurrent get() calls share one refresh', async (t) => {
  const { clock, source, cache } = setup();
  const g = gate();
  source.gate = g.promise;
  const all = Promise.all(Array.from({ length: 50 }, () => cache.get(live())));
  g.open();
  t.deepEqual(new Set(await all), new Set(['tok-1']));
  t.is(source.calls, 1);

  clock.t += hour;
  const g2 = gate();
  source.gate = g2.promise;
  const again = Promise.all(Array.from({ length: 50 }, () => cache.get(live())));
  g2.open();
  t.deepEqual(new Set(await again), new Set(['tok-2']));
  t.is(source.calls, 2);
});

test('a failed refresh keeps the still-valid token and backs off before trying again', async (t) => {
  const { clock, source, cache } = setup();
  await cache.get(live());
  clock.t += hour;
  source.failing = new AuthError('backend down', true);
  t.is(await cache.get(live()), 'tok-1', 'old token returned after the failure');
  t.is(source.calls, 2);
  // random() = 0: equal jitter gives half the ceiling, 500 ms after the first failure.
  clock.t += 499;
  t.is(await cache.get(live()), 'tok-1');
  t.is(source.calls, 2, 'no attempt inside the backoff pause');
  clock.t += 1;
  t.is(await cache.get(live()), 'tok-1');
  t.is(source.calls, 3);
  clock.t += 999;
  await cache.get(live());
  t.is(source.calls, 3, 'the second pause is longer');
  clock.t += 1;
  source.failing = null;
  t.is(await cache.get(live()), 'tok-4');
});

test('without a valid token a failed refresh rejects, naming the source; the next get waits out the pause', async (t) => {
  const { clock, source, cache } = setup();
  source.failing = new AuthError('backend down', true);
  const err = await t.throwsAsync(cache.get(live()), { instanceOf: AuthError });
  t.regex(err.message, /scripted source/);
  t.regex(err.message, /backend down/);
  t.true(err.retryable);
  source.failing = null;
  const before = clock.t;
  t.is(await cache.get(live()), 'tok-2');
  t.deepEqual(clock.sleeps, [500]);
  t.is(clock.t, before + 500);
});

test('callers arriving during a backoff pause share one attempt after it', async (t) => {
  const { clock, source, cache } = setup();
  source.failing = new AuthError('backend down', true);
  await t.throwsAsync(cache.get(live()));
  // Two callers arrive inside the same pause: one attempt after it, both see its outcome.
  const g = gate();
  source.gate = g.promise;
  const a = cache.get(live());
  const b = cache.get(live());
  g.open();
  await t.throwsAsync(a, { message: /backend down/ });
  await t.throwsAsync(b, { message: /backend down/ });
  t.is(source.calls, 2);
  t.true(clock.sleeps.length >= 1);
});

test('never returns an expired token, whatever the failures and timing', async (t) => {
  const { clock, source, cache } = setup({ retry: { initialMs: 1_000, maxMs: 20 * minute } });
  let seed = 7;
  const random = (): number => {
    seed = (seed * 16_807) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  let served = 0;
  for (let i = 0; i < 3_000; i += 1) {
    clock.t += Math.floor(random() * 6 * minute);
    source.failing = random() < 0.4 ? new AuthError('flaky', true) : null;
    source.lifetimeMs = [12 * hour, 45 * minute, 15 * minute][Math.floor(random() * 3)] ?? hour;
    try {
      const token = await cache.get(live());
      const expiresAt = source.issued.get(token);
      t.true(expiresAt !== undefined && expiresAt !== null && expiresAt > clock.t, `step ${i}: ${token} expired`);
      served += 1;
    } catch (err) {
      t.true(err instanceof AuthError);
    }
  }
  t.true(served > 1_000);
});

test('invalidate() forces a refresh; invalidate(token) ignores a token already replaced', async (t) => {
  const { source, cache } = setup();
  t.is(await cache.get(live()), 'tok-1');
  cache.invalidate();
  t.is(await cache.get(live()), 'tok-2');
  cache.invalidate('tok-1');
  t.is(await cache.get(live()), 'tok-2', 'stale complaint ignored');
  cache.invalidate('tok-2');
  t.is(await cache.get(live()), 'tok-3');
  // An invalidated token is not served even if the refresh fails.
  cache.invalidate();
  source.failing = new AuthError('backend down', true);
  await t.throwsAsync(cache.get(live()), { instanceOf: AuthError });
  t.is(source.calls, 4);
});

test('a caller abandoning its wait does not cancel the shared refresh', async (t) => {
  const { source, cache } = setup();
  const g = gate();
  source.gate = g.promise;
  const controller = new AbortController();
  const reason = new Error('caller gave up');
  const abandoned = cache.get(controller.signal);
  const patient = cache.get(live());
  controller.abort(reason);
  await t.throwsAsync(abandoned, { is: reason });
  g.open();
  t.is(await patient, 'tok-1');
  t.is(source.calls, 1);
  t.false(source.lastSignal?.aborted);
});

test('close() cancels the refresh in flight and rejects later calls', async (t) => {
  const { source, cache } = setup();
  const g = gate();
  source.gate = g.promise;
  const pending = cache.get(live());
  cache.close();
  g.open();
  await t.throwsAsync(pending, { message: /closed/ });
  t.true(source.lastSignal?.aborted);
  await t.throwsAsync(cache.get(live()), { message: /closed/ });
});

test('a token that is already expired on arrival is refused', async (t) => {
  const { source, cache } = setup();
  source.lifetimeMs = 10_000;
  await t.throwsAsync(cache.get(live()), { instanceOf: AuthError, message: /expired/ });
});

test('an unexpected error from a source is reported without token-like text', async (t) => {
  const { source, cache } = setup();
  const secret = 't1.9euelZqSnJqVkseKx5qRzZGTk8yJnZKJmZqXn5uSkpqWzc2ck';
  source.failing = new TypeError(`boom while parsing ${secret}`);
  const err = await t.throwsAsync(cache.get(live()), { instanceOf: AuthError });
  t.false(err.message.includes(secret));
  t.regex(err.message, /TypeError/);
  t.is(err.cause, undefined, 'the raw error is not attached');
});
