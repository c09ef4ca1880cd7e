import cron from 'node-cron';
import type { Config } from './config.js';
import { deepFreeze } from './deep-freeze.js';
import { envOverrides } from './env-overrides.js';
import { Problem, Section } from './field-reader.js';
import { readEmulator } from './read-emulator.js';
import { readFacade } from './read-facade.js';
import { readLog, readMetrics, readStore, readSync } from './read-sections.js';
import { readUpstream } from './read-upstream.js';

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Relative paths in `raw` (and path defaults) resolve against this directory: the config file's. */
  readonly baseDir: string;
  /** Where RBM_* overrides come from; none when omitted. */
  readonly env?: NodeJS.ProcessEnv;
  /** The file `raw` came from, prefixed to error messages about its values. */
  readonly source?: string;
  /** Relative RBM_STORE_PATH resolves against this; default `process.cwd()`. */
  readonly cwd?: string;
}

const rootKeys = ['folders', 'schedule', 'upstream', 'store', 'sync', 'metrics', 'facade', 'log', 'emulator'];

const folderId = /^[a-z0-9]{1,50}$/;

/**
 * Turns parsed YAML into a validated, deeply frozen {@link Config}: rejects unknown keys,
 * applies defaults, then the RBM_* environment overrides, converts durations to ms and
 * resolves relative paths against `opts.baseDir`. Pure: reads no files.
 *
 * @throws ConfigError naming the offending key path or environment variable.
 */
export function parseConfig(raw: unknown, opts: ParseConfigOptions): Config {
  const root = Section.root(raw, rootKeys, {
    baseDir: opts.baseDir,
    source: opts.source,
    overrides: envOverrides(opts.env ?? {}, opts.cwd ?? process.cwd()),
  });
  // The emulator first: whether `folders` may be omitted depends on it.
  const emulator = readEmulator(root);
  const config: Config = {
    folders: readFolders(root, emulator.enabled),
    schedule: root.string('schedule', '*/5 * * * *', checkCron),
    upstream: readUpstream(root),
    store: readStore(root),
    sync: readSync(root),
    metrics: readMetrics(root),
    facade: readFacade(root),
    log: readLog(root),
    emulator,
  };
  return deepFreeze(config);
}

/** Required unless the emulator is enabled; then absent, null or [] means "the emulator's folders". */
function readFolders(root: Section, emulatorEnabled: boolean): readonly string[] {
  return root.read<readonly string[]>('folders', emulatorEnabled ? [] : undefined, (value) => {
    if (value === null && emulatorEnabled) return [];
    if (!Array.isArray(value)) throw new Problem('must be a list of folder ids');
    const items: readonly unknown[] = value;
    if (items.length === 0 && !emulatorEnabled) {
      throw new Problem('must list at least one folder id (may be empty only when emulator.enabled is true)', {
        showValue: false,
      });
    }
    const seen = new Set<string>();
    return items.map((item, index) => {
      const at = `[${index}]`;
      if (typeof item !== 'string' || !folderId.test(item)) {
        throw new Problem('must be a folder id of 1 to 50 characters a-z, 0-9', { at, value: item });
      }
      if (seen.has(item)) throw new Problem('duplicate folder id', { at, value: item });
      seen.add(item);
      return item;
    });
  });
}

/** Accepts what node-cron's scheduler accepts: 5 fields, or 6 with seconds first. */
function checkCron(text: string): void {
  if (cron.validate(text)) return;
  const reasons = cron.validateDetailed(text).errors.map((e) => e.message);
  const detail = reasons.length > 0 ? `: ${reasons.join('; ')}` : '';
  throw new Problem(`must be a cron expression of 5 fields, or 6 with seconds first${detail}`);
}
