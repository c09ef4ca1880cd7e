import { loadConfig } from '../config/load-config.js';
import { MirrorStore } from '../store/mirror-store.js';
import type { CommandIo } from './command-io.js';
import { configPath, parseFlags } from './parse-flags.js';

/** `verify --config FILE`: replays the log against the projection; exit 0 if they agree, 1 on any difference or gap. */
export async function verifyCommand(argv: string[], io: CommandIo): Promise<number> {
  const flags = parseFlags('verify', argv, { config: { type: 'string' } });
  const config = loadConfig(configPath('verify', flags.config, io.env), io.env);
  const store = MirrorStore.open(config.store.path);
  try {
    const report = store.verify();
    io.stdout.write(`${JSON.stringify(report)}\n`);
    return report.ok ? 0 : 1;
  } finally {
    store.close();
  }
}
