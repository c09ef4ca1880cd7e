import type { ListenAddress } from './config.js';
import { ConfigError } from './config-error.js';
import { describe, isMapping, Problem, requireString, resolvePath, toAddress, toDuration } from './config-values.js';
import { didYouMean } from './did-you-mean.js';
import { parseDuration } from './duration.js';
import { parseListenAddress } from './listen-address.js';

export { Problem } from './config-values.js';

/** A value that replaces the file's value at one key path, e.g. from an environment variable. */
export interface Override {
  readonly value: string;
  /** Names the origin in errors instead of the key path, e.g. `RBM_LOG_LEVEL`. */
  readonly label: string;
  /** Relative paths in `value` resolve against this directory. */
  readonly baseDir: string;
}

export interface ReadContext {
  /** Relative paths in the file resolve against this directory (the config file's). */
  readonly baseDir: string;
  /** The file, named in errors about its values. */
  readonly source: string | undefined;
  /** Keyed by dotted key path, e.g. `metrics.listen`. */
  readonly overrides: ReadonlyMap<string, Override>;
}

interface Entry {
  readonly present: boolean;
  readonly value: unknown;
  readonly label: string;
  readonly baseDir: string;
  readonly fromFile: boolean;
}

/**
 * One mapping of the configuration with its key path. Rejects unknown keys on creation,
 * reads typed values with defaults, and reports every problem as a ConfigError naming
 * the key path (or the environment variable that overrode it).
 */
export class Section {
  private constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    /** Dotted key path of this mapping, '' for the top level. */
    readonly name: string,
    private readonly ctx: ReadContext,
    private readonly keys: readonly string[],
  ) {
    for (const key of Object.keys(raw)) {
      if (keys.includes(key)) continue;
      const full = this.keyPath(key);
      const guess = didYouMean(key, keys);
      const suggestion = guess === undefined ? '' : ` (did you mean ${JSON.stringify(this.keyPath(guess))}?)`;
      throw new ConfigError(`unknown key ${JSON.stringify(full)}${suggestion}`, { key: full, source: ctx.source });
    }
  }

  /** The top level; null/undefined (an empty file) reads as an empty mapping. */
  static root(raw: unknown, keys: readonly string[], ctx: ReadContext): Section {
    if (raw === null || raw === undefined) return new Section({}, '', ctx, keys);
    if (!isMapping(raw)) {
      throw new ConfigError(`the top level must be a mapping of keys (got ${describe(raw)})`, { source: ctx.source });
    }
    return new Section(raw, '', ctx, keys);
  }

  keyPath(key: string): string {
    return this.name === '' ? key : `${this.name}.${key}`;
  }

  /** Whether the key is set (in the file or by an override); null counts as set. */
  has(key: string): boolean {
    return this.entry(key).present;
  }

  /** Throws a ConfigError `<key path or variable>: <message>`. */
  fail(key: string, message: string): never {
    const entry = this.entry(key);
    throw this.error(entry, message);
  }

  /** A nested mapping; absent or null (all children commented out) reads as empty. */
  section(key: string, keys: readonly string[]): Section {
    return this.nullableSection(key, keys) ?? new Section({}, this.keyPath(key), this.ctx, keys);
  }

  /** A nested mapping, or null when absent or null. */
  nullableSection(key: string, keys: readonly string[]): Section | null {
    return this.read(key, null, (value) => {
      if (value === null) return null;
      if (!isMapping(value)) throw new Problem('must be a mapping of keys');
      return new Section(value, this.keyPath(key), this.ctx, keys);
    });
  }

  /**
   * Reads one key: `fallback` when absent (undefined = required), else `convert(value)`.
   * `secret` keeps the value out of error messages.
   */
  read<T>(key: string, fallback: T | undefined, convert: (value: unknown, baseDir: string) => T, secret = false): T {
    const entry = this.entry(key);
    if (!entry.present) {
      if (fallback === undefined) throw this.error(entry, 'required');
      return fallback;
    }
    try {
      return convert(entry.value, entry.baseDir);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      const { at = '', showValue = true } = error.options;
      const shown = 'value' in error.options ? error.options.value : entry.value;
      const got = showValue && !secret ? ` (got ${describe(shown)})` : '';
      throw this.error({ ...entry, label: entry.label + at }, error.message + got);
    }
  }

  /** A non-empty string; `check` may throw a Problem. */
  string(key: string, fallback?: string, check?: (text: string) => void): string {
    return this.read(key, fallback, (value) => {
      const text = requireString(value);
      check?.(text);
      return text;
    });
  }

  /** A non-empty string or null (the default). */
  nullableString(key: string, secret = false): string | null {
    return this.read(key, null, (value) => (value === null ? null : requireString(value)), secret);
  }

  boolean(key: string, fallback: boolean): boolean {
    return this.read(key, fallback, (value) => {
      if (typeof value !== 'boolean') throw new Problem('must be true or false');
      return value;
    });
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    return this.read(key, fallback, (value) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw new Problem(`must be an integer between ${min} and ${max}`);
      }
      return value;
    });
  }

  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    return this.read(key, fallback, (value) => {
      const found = values.find((v) => v === value);
      if (found === undefined) throw new Problem(`must be one of ${values.join(', ')}`);
      return found;
    });
  }

  /** A duration string (`"10s"`) in ms, between `minMs` and 596h (`maxDurationMs`); `fallback` is text too. */
  duration(key: string, fallback: string, minMs: number): number {
    return this.read(key, parseDuration(fallback), (value) => toDuration(value, minMs));
  }

  /** Like {@link duration} but null is allowed (and may be the default). */
  nullableDuration(key: string, fallback: string | null, minMs: number): number | null {
    const fallbackMs = fallback === null ? null : parseDuration(fallback);
    return this.read(key, fallbackMs, (value) => (value === null ? null : toDuration(value, minMs)));
  }

  /** `host:port` to listen on, port 0..65535. */
  listen(key: string, fallback: string): ListenAddress {
    return this.read(key, parseListenAddress(fallback), (value) => toAddress(value));
  }

  /** `host:port` to connect to, port 1..65535; returned as given. */
  endpoint(key: string, fallback: string): string {
    return this.read(key, fallback, (value) => {
      const text = requireString(value);
      if (toAddress(text).port === 0) throw new Problem('port must be between 1 and 65535');
      return text;
    });
  }

  /** A file path resolved against the config file's directory (the default too); `:memory:` kept as is. */
  path(key: string, fallback?: string): string {
    const resolved = fallback === undefined ? undefined : resolvePath(fallback, this.ctx.baseDir);
    return this.read(key, resolved, (value, baseDir) => resolvePath(requireString(value), baseDir));
  }

  /** Like {@link path}; null (the default) means unset. */
  nullablePath(key: string): string | null {
    return this.read(key, null, (value, baseDir) => (value === null ? null : resolvePath(requireString(value), baseDir)));
  }

  private entry(key: string): Entry {
    // Guards the reader code itself: every key read must be declared, or unknown-key checks lie.
    if (!this.keys.includes(key)) throw new Error(`internal: key "${this.keyPath(key)}" is not declared`);
    const keyPath = this.keyPath(key);
    const override = this.ctx.overrides.get(keyPath);
    if (override !== undefined) {
      return { present: true, value: override.value, label: override.label, baseDir: override.baseDir, fromFile: false };
    }
    const present = Object.hasOwn(this.raw, key) && this.raw[key] !== undefined;
    return { present, value: present ? this.raw[key] : undefined, label: keyPath, baseDir: this.ctx.baseDir, fromFile: true };
  }

  private error(entry: Entry, message: string): ConfigError {
    return new ConfigError(`${entry.label}: ${message}`, {
      key: entry.label,
      source: entry.fromFile ? this.ctx.source : undefined,
    });
  }
}
