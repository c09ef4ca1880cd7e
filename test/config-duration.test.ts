import test from 'ava';
import { formatDuration, parseDuration } from '../src/config/duration.js';
import { ConfigError } from '../src/config/config-error.js';

test('parseDuration reads each unit into milliseconds', (t) => {
  t.is(parseDuration('500ms'), 500);
  t.is(parseDuration('10s'), 10_000);
  t.is(parseDuration('5m'), 300_000);
  t.is(parseDuration('1h'), 3_600_000);
  t.is(parseDuration('0s'), 0);
  t.is(parseDuration('0ms'), 0);
});

test('parseDuration reads combinations in decreasing units', (t) => {
  t.is(parseDuration('1m30s'), 90_000);
  t.is(parseDuration('1h30m'), 5_400_000);
  t.is(parseDuration('2h3m4s5ms'), 7_384_005);
  t.is(parseDuration('1s500ms'), 1_500);
});

test('parseDuration accepts decimal fractions that make whole milliseconds', (t) => {
  t.is(parseDuration('1.5s'), 1_500);
  t.is(parseDuration('0.1s'), 100);
  t.is(parseDuration('0.25h'), 900_000);
});

for (const [input, reason] of [
  ['', /empty/],
  ['10', /missing unit/],
  ['1.5', /missing unit/],
  ['10x', /expected <number><unit>/],
  ['s', /expected <number><unit>/],
  ['-1s', /expected <number><unit>/],
  ['+1s', /expected <number><unit>/],
  [' 10s', /expected <number><unit>/],
  ['10s ', /unexpected " "/],
  ['10 s', /expected <number><unit>/],
  ['1d', /expected <number><unit>/],
  ['10S', /expected <number><unit>/],
  ['1.s', /expected <number><unit>/],
  ['1s1m', /largest first/],
  ['1s1s', /largest first/],
  ['1m1h', /largest first/],
  ['0.5ms', /whole number of milliseconds/],
  ['99999999999999999999h', /too large/],
] as const) {
  test(`parseDuration rejects ${JSON.stringify(input)} with a plain Error quoting it`, (t) => {
    const error = t.throws(() => parseDuration(input));
    t.false(error instanceof ConfigError);
    t.true(error.message.startsWith(`invalid duration ${JSON.stringify(input)}: `), error.message);
    t.regex(error.message, reason);
  });
}

test('formatDuration writes what parseDuration reads', (t) => {
  t.is(formatDuration(0), '0ms');
  t.is(formatDuration(250), '250ms');
  t.is(formatDuration(90_000), '1m30s');
  t.is(formatDuration(3_600_001), '1h1ms');
  for (const ms of [0, 1, 999, 1_000, 61_001, 86_400_000, 7_384_005]) t.is(parseDuration(formatDuration(ms)), ms);
  t.throws(() => formatDuration(-1), { instanceOf: RangeError });
  t.throws(() => formatDuration(1.5), { instanceOf: RangeError });
});
