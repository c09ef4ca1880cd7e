import type { LogLevel } from '../config/config.js';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured fields of a log line. Never put a token or key in them. */
export type LogFields = Record<string, unknown>;

/** JSON-lines logger: one object per line with `time` (RFC 3339), `level`, `msg` and the fields. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * A logger writing JSON lines to `out` (default stderr, so stdout stays for command output),
 * dropping lines below `level` (default info).
 */
export function createLogger(level: LogLevel = 'info', out: NodeJS.WritableStream = process.stderr, now: () => number = Date.now): Logger {
  const write = (at: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[at] < rank[level]) return;
    out.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level: at, msg, ...fields }, errorReplacer)}\n`);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// Errors serialize as their message only: stacks are noise in an operator's log.
function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}
