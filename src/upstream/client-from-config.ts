import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { createTokenProvider } from './auth/create-token-provider.js';
import { BackupClient } from './backup-client.js';
import type { CallRecord } from './call-unary.js';
import { staticTokenProvider, type TokenProvider } from './token-provider.js';

/** The built-in emulator standing in for the cloud: plaintext, and its own demo token. */
export interface EmulatorTarget {
  readonly address: string;
  readonly token: string | null;
}

/**
 * The BackupService client the config describes, with its token provider. Pointed at an
 * emulator, real credentials are never used (nor sent to it).
 */
export function clientFromConfig(
  config: Config,
  emulator: EmulatorTarget | null,
  log: Logger,
  onCall?: (record: CallRecord) => void,
): { client: BackupClient; tokens: TokenProvider } {
  const upstream = config.upstream;
  const tokens =
    emulator !== null
      ? staticTokenProvider(emulator.token)
      : createTokenProvider(upstream.auth, {
          tls: upstream.tls,
          caFile: upstream.caFile,
          timeoutMs: upstream.timeoutMs,
          env: process.env,
          warn: (msg: string) => log.warn(msg),
        });
  const client = new BackupClient({
    endpoint: emulator?.address ?? upstream.endpoint,
    tls: emulator === null ? upstream.tls : false,
    caFile: emulator === null ? upstream.caFile : null,
    timeoutMs: upstream.timeoutMs,
    retry: upstream.retry,
    tokens,
    onCall,
    onRetry: (err, attempt, delayMs) =>
      log.warn('upstream call failed, retrying', {
        method: err.method,
        code: err.code,
        attempt,
        delay_ms: delayMs,
        request_id: err.requestId,
        server_trace_id: err.serverTraceId,
        error: err.details,
      }),
  });
  return { client, tokens };
}
