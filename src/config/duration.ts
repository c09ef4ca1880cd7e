/** Milliseconds per unit, in the (strictly decreasing) order units must appear in. */
const units = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

type Unit = (typeof units)[number][0];

const unitMs: ReadonlyMap<string, number> = new Map(units);
const unitRank: ReadonlyMap<string, number> = new Map(units.map(([unit], rank) => [unit, rank]));

// `ms` before `m` so "500ms" is not read as 500 minutes followed by "s".
const componentSource = '(\\d+(?:\\.\\d+)?)(ms|h|m|s)';

const hint = 'expected <number><unit> with unit h, m, s or ms, e.g. "500ms", "10s", "1m30s"';

/**
 * Parses a duration such as `"500ms"`, `"10s"`, `"5m"`, `"1h"` or a combination in
 * decreasing units (`"1h30m"`, `"1m30.5s"`) into whole milliseconds. Numbers may have a
 * decimal fraction; the total must be a whole number of milliseconds. No sign, no spaces.
 *
 * @throws Error naming the input when the text is not such a duration.
 */
export function parseDuration(text: string): number {
  const fail = (reason: string): never => {
    throw new Error(`invalid duration ${JSON.stringify(text)}: ${reason}`);
  };
  if (text === '') fail(`empty; ${hint}`);
  if (/^\d+(?:\.\d+)?$/.test(text)) fail(`missing unit; ${hint}`);

  const component = new RegExp(componentSource, 'y');
  let total = 0;
  let lastRank = -1;
  while (component.lastIndex < text.length) {
    const start = component.lastIndex;
    const match = component.exec(text);
    if (match === null) {
      return fail(start === 0 ? hint : `unexpected ${JSON.stringify(text.slice(start))}; ${hint}`);
    }
    const amount = match[1] ?? '';
    const unit = (match[2] ?? '') as Unit;
    const rank = unitRank.get(unit) ?? 0;
    if (rank <= lastRank) {
      return fail('units must appear once each, largest first (h, m, s, ms)');
    }
    lastRank = rank;
    total += Number(amount) * (unitMs.get(unit) ?? 0);
  }

  // Fractions like 0.1 are inexact in binary; round away the noise before judging wholeness.
  const rounded = Math.round(total);
  if (Math.abs(total - rounded) > 1e-6) fail('not a whole number of milliseconds');
  if (!Number.isSafeInteger(rounded)) fail('too large');
  return rounded;
}

/** Formats milliseconds the way {@link parseDuration} reads them, e.g. 90 000 -> `"1m30s"`, 0 -> `"0ms"`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration in ms: ${ms}`);
  if (ms === 0) return '0ms';
  let rest = ms;
  let text = '';
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    if (amount > 0) text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}
