import type { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.js';
import { parseListenAddress } from '../config/listen-address.js';
import { dayMs } from '../emulator/backup-schedule.js';
import { startEmulator } from '../emulator/start-emulator.js';
import type { Emulator, EmulatorOptions } from '../emulator/start-emulator.js';

/** Where the command writes: one JSON line per event on stdout, errors on stderr. */
export interface EmulatorCommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Test seam: where SIGUSR1/SIGTERM/SIGINT come from (default: the process). */
export interface EmulatorCommandHooks {
  readonly signals?: EventEmitter;
}

const flagSpec = {
  listen: { type: 'string' },
  folders: { type: 'string' },
  clusters: { type: 'string' },
  seed: { type: 'string' },
  token: { type: 'string' },
  'day-every': { type: 'string' },
} as const;

class FlagError extends Error {}

/**
 * `redis-backup-mirror emulator --listen HOST:PORT [--folders N] [--clusters N] [--seed N]
 * [--token T] [--day-every DURATION]`: serves the cloud emulator until SIGTERM/SIGINT
 * (then resolves 0). Prints `{"listening":"HOST:PORT","folders":[...],"clock":ISO}` once;
 * each SIGUSR1 advances the clock one simulated day and prints `{"clock":ISO}`.
 * Bad flags: a message naming the flag on stderr, exit code 2.
 */
export async function emulatorCommand(
  argv: string[],
  io: EmulatorCommandIo,
  hooks: EmulatorCommandHooks = {},
): Promise<number> {
  let options: EmulatorOptions;
  try {
    options = parseFlags(argv);
  } catch (err) {
    io.stderr.write(`emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }

  let started: Emulator;
  try {
    started = await startEmulator(options);
  } catch (err) {
    io.stderr.write(`emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const clockText = (): string => new Date(started.clock.now()).toISOString();
  io.stdout.write(`${JSON.stringify({ listening: started.address, folders: started.folderIds, clock: clockText() })}\n`);

  const signals: EventEmitter = hooks.signals ?? process;
  return new Promise<number>((resolve) => {
    const onAdvance = (): void => {
      started.clock.advance(dayMs);
      io.stdout.write(`${JSON.stringify({ clock: clockText() })}\n`);
    };
    const onStop = (): void => {
      signals.off('SIGUSR1', onAdvance);
      signals.off('SIGTERM', onStop);
      signals.off('SIGINT', onStop);
      started.close().then(
        () => resolve(0),
        (err: unknown) => {
          io.stderr.write(`emulator: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
          resolve(1);
        },
      );
    };
    signals.on('SIGUSR1', onAdvance);
    signals.on('SIGTERM', onStop);
    signals.on('SIGINT', onStop);
  });
}

function parseFlags(argv: string[]): EmulatorOptions {
  const { values } = parseArgs({ args: argv, options: flagSpec, strict: true, allowPositionals: false });
  if (values.listen === undefined) throw new FlagError('--listen HOST:PORT is required');
  const address = wrap('--listen', () => parseListenAddress(values.listen ?? ''));
  const options: EmulatorOptions = {
    host: address.host,
    port: address.port,
    folders: integer('--folders', values.folders, 3),
    clustersPerFolder: integer('--clusters', values.clusters, 5),
    seed: integer('--seed', values.seed, 1, 4_294_967_295),
  };
  if (values.token !== undefined) {
    if (values.token === '') throw new FlagError('--token must not be empty');
    options.token = values.token;
  }
  if (values['day-every'] !== undefined) {
    const ms = wrap('--day-every', () => parseDuration(values['day-every'] ?? ''));
    if (ms <= 0) throw new FlagError('--day-every must be longer than 0ms');
    options.dayEveryMs = ms;
  }
  return options;
}

function integer(flag: string, value: string | undefined, fallback: number, max = 10_000_000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new FlagError(`${flag} must be an integer 0..${max} (got ${JSON.stringify(value)})`);
  }
  return Number(value);
}

function wrap<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new FlagError(`${flag}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
