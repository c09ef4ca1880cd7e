#!/usr/bin/env node
import { ConfigError } from './config/config-error.js';
import { StoreError } from './store/store-error.js';
import { UsageError } from './cli/usage-error.js';
import type { CommandIo } from './cli/command-io.js';
import { emulatorCommand } from './cli/emulator-command.js';
import { eventsCommand } from './cli/events-command.js';
import { followEvents } from './cli/follow-events.js';
import { runCommand } from './cli/run-command.js';
import { syncCommand } from './cli/sync-command.js';
import { verifyCommand } from './cli/verify-command.js';
import { version } from './version.js';

const usage = `redis-backup-mirror ${version}: a local, event-sourced mirror of the Yandex Cloud Managed Redis backup catalog

Usage: redis-backup-mirror <command> [flags]

  run       --config FILE [--print-events]            the daemon: passes on schedule, metrics, gRPC facade
  sync      --config FILE [--folder ID ...]           one pass over each folder; JSON summary per folder
  events    --config FILE [--after SEQ] [--folder ID] the event log as JSON lines
  events    --address HOST:PORT [--after SEQ] [--folder ID] [--follow] [--tls-ca F --tls-cert F --tls-key F]
                                                       follow a running daemon's log over gRPC Watch
  verify    --config FILE                              replay the log against the mirror; exit 1 on a difference
  emulator  --listen HOST:PORT [--folders N] [--clusters N] [--seed N] [--token T] [--day-every DURATION]

The config file may also be given by RBM_CONFIG. Exit codes: 0 ok, 1 failed, 2 bad usage, config or database file.
`;

type Command = (argv: string[], io: CommandIo) => Promise<number>;

const commands: Record<string, Command> = {
  run: runCommand,
  sync: syncCommand,
  // With --address, events follow a running daemon over Watch; else they are read from the database.
  events: (argv, io) => (argv.some((a) => a === '--address' || a.startsWith('--address=')) ? followEvents(argv, io) : eventsCommand(argv, io)),
  verify: verifyCommand,
  emulator: (argv, io) => emulatorCommand(argv, io),
};

async function main(argv: string[]): Promise<number> {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`redis-backup-mirror: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof StoreError) {
      process.stderr.write(`redis-backup-mirror ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`redis-backup-mirror ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
