import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import { backoffDelay } from '../src/upstream/backoff.js';
import { isRetryable } from '../src/upstream/is-retryable.js';
import { sleep } from '../src/upstream/sleep.js';

const policy = { initialMs: 100, maxMs: 5_000 };
const low = (): number => 0;
const high = (): number => 0.999_999_999;

test('backoff ceiling doubles per retry by default (equal jitter: between half and all of it)', (t) => {
  for (const [attempt, ceiling] of [
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_600],
  ] as const) {
    t.is(backoffDelay(attempt, policy, low), ceiling / 2, `attempt ${attempt} lower bound`);
    t.true(backoffDelay(attempt, policy, high) <= ceiling, `attempt ${attempt} upper bound`);
    t.true(backoffDelay(attempt, policy, high) >= ceiling - 1, `attempt ${attempt} near the ceiling`);
  }
});

test('backoff uses a custom multiplier', (t) => {
  const p = { initialMs: 100, maxMs: 1_000_000, multiplier: 3 };
  t.is(backoffDelay(1, p, low), 50);
  t.is(backoffDelay(2, p, low), 150);
  t.is(backoffDelay(3, p, low), 450);
});

test('backoff never exceeds maxMs, even for huge attempt numbers', (t) => {
  for (const attempt of [6, 7, 10, 50, 1_000, 1e9, Number.MAX_SAFE_INTEGER]) {
    const d = backoffDelay(attempt, policy, high);
    t.true(d <= policy.maxMs && d >= policy.maxMs / 2, `attempt ${attempt}: ${d}`);
  }
  t.true(backoffDelay(1, { initialMs: 10_000, maxMs: 300 }, high) <= 300, 'initial above max is capped');
});

test('backoff stays within [ceiling/2, ceiling] for many random draws and is never negative', (t) => {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let attempt = 1; attempt <= 12; attempt += 1) {
    const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(attempt, policy, random);
      t.true(d >= Math.floor(ceiling / 2) && d <= ceiling && Number.isInteger(d), `attempt ${attempt}: ${d}`);
    }
  }
});

test('backoff tolerates odd inputs: attempt < 1, NaN, random outside [0, 1)', (t) => {
  t.is(backoffDelay(0, policy, low), 50);
  t.is(backoffDelay(-3, policy, low), 50);
  t.is(backoffDelay(Number.NaN, policy, low), 50);
  t.is(backoffDelay(1, policy, () => -5), 50);
  t.is(backoffDelay(1, policy, () => 7), 100);
  t.is(backoffDelay(1, policy, () => Number.NaN), 50);
  t.is(backoffDelay(3, { initialMs: 0, maxMs: 0 }, high), 0);
});

test('backoff rejects a bad policy, naming the field', (t) => {
  t.throws(() => backoffDelay(1, { initialMs: -1, maxMs: 10 }), { instanceOf: RangeError, message: /initialMs/ });
  t.throws(() => backoffDelay(1, { initialMs: 1, maxMs: Number.NaN }), { instanceOf: RangeError, message: /maxMs/ });
  t.throws(() => backoffDelay(1, { initialMs: 1, maxMs: 10, multiplier: 0.5 }), { instanceOf: RangeError, message: /multiplier/ });
});

test('isRetryable: the four transient codes only', (t) => {
  const yes = [grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.DEADLINE_EXCEEDED, grpc.status.INTERNAL];
  for (const code of yes) t.true(isRetryable(code), grpc.status[code]);
  for (const code of Object.values(grpc.status)) {
    if (typeof code === 'number' && !yes.includes(code)) t.false(isRetryable(code), grpc.status[code]);
  }
});

test('sleep resolves after the delay', async (t) => {
  await sleep(5);
  await sleep(-10);
  t.pass();
});

test('sleep rejects with the signal reason when aborted during the wait', async (t) => {
  const controller = new AbortController();
  const reason = new Error('stop now');
  const waiting = sleep(60_000, controller.signal);
  controller.abort(reason);
  const err = await t.throwsAsync(waiting);
  t.is(err, reason);
});

test('sleep rejects at once when the signal is already aborted', async (t) => {
  const reason = new Error('already');
  await t.throwsAsync(sleep(60_000, AbortSignal.abort(reason)), { is: reason });
});
