import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { emulatorFromConfig } from '../emulator/emulator-from-config.js';
import type { Emulator } from '../emulator/start-emulator.js';
import type { BackupClient } from '../upstream/backup-client.js';
import type { CallRecord } from '../upstream/call-unary.js';
import { clientFromConfig } from '../upstream/client-from-config.js';

/** The cloud (or the built-in emulator standing in for it) as a command sees it. */
export interface Upstream {
  readonly client: BackupClient;
  /** The folders to mirror: the configured ones, or the emulator's own. */
  readonly folders: readonly string[];
  /** The in-process emulator when `emulator.enabled`, else null. */
  readonly emulator: Emulator | null;
  close(): Promise<void>;
}

/**
 * Connects to the configured upstream; with `emulator.enabled`, first starts the built-in
 * emulator on a free loopback port and points the client at it (plaintext).
 */
export async function openUpstream(config: Config, log: Logger, onCall?: (r: CallRecord) => void): Promise<Upstream> {
  const emu = config.emulator;
  const emulator = emu.enabled ? await emulatorFromConfig(emu) : null;
  const target = emulator === null ? null : { address: emulator.address, token: emu.token };
  const { client, tokens } = clientFromConfig(config, target, log, onCall);
  const folders = config.folders.length > 0 ? config.folders : (emulator?.folderIds ?? []);
  return {
    client,
    folders,
    emulator,
    async close() {
      client.close();
      tokens.close();
      await emulator?.close();
    },
  };
}
