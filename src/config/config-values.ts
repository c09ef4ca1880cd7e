import path from 'node:path';
import type { ListenAddress } from './config.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseListenAddress } from './listen-address.js';

/*
 * Converters from raw YAML/environment values to typed values. Each throws a Problem,
 * which the reading Section turns into a ConfigError naming the key.
 */

/**
 * Thrown by value converters; {@link Section} turns it into a ConfigError naming the key.
 * `at` extends the key path (`[2]` for a list element); `value` is what `(got ...)` shows,
 * and `showValue: false` leaves that out (when the message already quotes the input).
 */
export class Problem extends Error {
  constructor(
    message: string,
    readonly options: { readonly at?: string; readonly value?: unknown; readonly showValue?: boolean } = {},
  ) {
    super(message);
  }
}

/** Largest accepted duration: Node timers overflow past 2^31-1 ms (~596.5 h). */
export const maxDurationMs = 596 * 3_600_000;

/** Short human description of a raw value for `(got ...)`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length > 60 ? `${quoted.slice(0, 57)}..."` : quoted;
  }
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (isMapping(value)) return 'a mapping';
  return `a value of type ${typeof value}`;
}

/** A plain object, as YAML mappings parse to. */
export function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A non-empty string. */
export function requireString(value: unknown): string {
  if (typeof value !== 'string') throw new Problem('must be a string');
  if (value === '') throw new Problem('must not be empty', { showValue: false });
  return value;
}

/** A duration string in ms, between `minMs` and {@link maxDurationMs}. A bare number is refused: its unit would be a guess. */
export function toDuration(value: unknown, minMs: number): number {
  if (typeof value !== 'string') throw new Problem('must be a duration string with a unit, like "500ms", "10s", "5m" or "1h"');
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new Problem(error instanceof Error ? error.message : String(error), { showValue: false });
  }
  if (ms < minMs || ms > maxDurationMs) {
    throw new Problem(`must be between ${formatDuration(minMs)} and ${formatDuration(maxDurationMs)}`);
  }
  return ms;
}

/** A `host:port` string. */
export function toAddress(value: unknown): ListenAddress {
  if (typeof value !== 'string') throw new Problem('must be a "host:port" string');
  try {
    return parseListenAddress(value);
  } catch (error) {
    throw new Problem(error instanceof Error ? error.message : String(error), { showValue: false });
  }
}

/** An absolute path: `text` resolved against `baseDir`; SQLite's `:memory:` kept as is. */
export function resolvePath(text: string, baseDir: string): string {
  if (text.includes('\0')) throw new Problem('must not contain NUL characters', { showValue: false });
  return text === ':memory:' ? text : path.resolve(baseDir, text);
}
