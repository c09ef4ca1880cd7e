import { loadConfig } from '../config/load-config.js';
import { runDaemon } from '../daemon/run-daemon.js';
import { createLogger } from '../log/logger.js';
import type { CommandIo } from './command-io.js';
import { configPath, parseFlags } from './parse-flags.js';

/** How long a graceful shutdown may take before the process exits anyway, ms. */
const shutdownGraceMs = 9000;

/**
 * `run --config FILE [--print-events]`: the daemon, until SIGTERM or SIGINT. The first
 * signal shuts down gracefully (exit 0); a second one exits at once.
 */
export async function runCommand(argv: string[], io: CommandIo): Promise<number> {
  const flags = parseFlags('run', argv, { config: { type: 'string' }, 'print-events': { type: 'boolean' } });
  const config = loadConfig(configPath('run', flags.config, io.env), io.env);
  const log = createLogger(config.log.level, io.stderr);
  const daemon = await runDaemon(config, { log, printEvents: flags['print-events'] === true ? io.stdout : null });
  if (flags['print-events'] === true) {
    io.stdout.write(
      `Mirroring ${daemon.folders.length} folder(s); metrics at http://${daemon.metricsAddress}/metrics, gRPC (BackupService, Watch) at ${daemon.facadeAddress}. Ctrl-C stops.\n`,
    );
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info('shutting down', { signal });
  const again = (): void => {
    log.warn('second signal: exiting at once');
    process.exit(1);
  };
  process.once('SIGTERM', again);
  process.once('SIGINT', again);
  const timer = setTimeout(() => {
    log.error('graceful shutdown took too long: exiting');
    process.exit(1);
  }, shutdownGraceMs);
  timer.unref();
  await daemon.close();
  clearTimeout(timer);
  log.info('stopped');
  return 0;
}
