import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { startEmulator, type Emulator } from '../emulator/start-emulator.js';
import { createTokenProvider } from '../upstream/auth/create-token-provider.js';
import { BackupClient } from '../upstream/backup-client.js';
import type { CallRecord } from '../upstream/call-unary.js';
import { staticTokenProvider } from '../upstream/token-provider.js';

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
  const emulator = emu.enabled
    ? await startEmulator({
        seed: emu.seed,
        folders: emu.folders,
        clustersPerFolder: emu.clusters,
        ...(emu.dayEveryMs === null ? {} : { dayEveryMs: emu.dayEveryMs }),
        ...(emu.token === null ? {} : { token: emu.token }),
      })
    : null;
  // The emulator's token is the demo's own; real credentials are never sent to it.
  const tokens =
    emulator !== null
      ? staticTokenProvider(emu.token)
      : createTokenProvider(config.upstream.auth, {
          tls: config.upstream.tls,
          caFile: config.upstream.caFile,
          timeoutMs: config.upstream.timeoutMs,
          env: process.env,
          warn: (msg: string) => log.warn(msg),
        });
  const client = new BackupClient({
    endpoint: emulator?.address ?? config.upstream.endpoint,
    tls: emulator === null ? config.upstream.tls : false,
    caFile: emulator === null ? config.upstream.caFile : null,
    timeoutMs: config.upstream.timeoutMs,
    retry: config.upstream.retry,
    tokens,
    onCall,
    onRetry: (err, attempt, delayMs) =>
      log.warn('upstream call failed, retrying', { method: err.method, code: err.code, attempt, delay_ms: delayMs, request_id: err.requestId, error: err.details }),
  });
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
