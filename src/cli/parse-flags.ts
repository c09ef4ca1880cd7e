import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags strictly; an unknown flag or a missing value is a {@link UsageError} naming it. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

/** The config file: `--config`, else `RBM_CONFIG`. */
export function configPath(command: string, flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const file = flag ?? env['RBM_CONFIG'];
  if (file === undefined || file === '') throw new UsageError(`${command}: --config FILE is required (or set RBM_CONFIG)`);
  return file;
}

/** A non-negative integer flag value, or a {@link UsageError} naming the flag. */
export function integerFlag(command: string, name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UsageError(`${command}: --${name} must be a non-negative integer (got "${value}")`);
  return Number(value);
}
