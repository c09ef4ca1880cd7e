import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { Backup } from '../mirror/backup.js';
import { version } from '../version.js';
import { backupFromWire } from './backup-codec.js';
import { backoffDelay } from './backoff.js';
import { callUnary, type CallRecord } from './call-unary.js';
import { isRetryable } from './is-retryable.js';
import { backupServiceClientConstructor, type WireBackup, type WireGetBackupRequest, type WireListBackupsRequest, type WireListBackupsResponse } from './proto.js';
import { sleep } from './sleep.js';
import type { TokenProvider } from './token-provider.js';
import { hintFor, UpstreamError } from './upstream-error.js';

/** How the client reaches the cloud. */
export interface BackupClientOptions {
  /** host:port, e.g. mdb.api.cloud.yandex.net:443. */
  readonly endpoint: string;
  readonly tls: boolean;
  /** PEM file of extra roots; null = the system roots. */
  readonly caFile: string | null;
  /** Per-call deadline, ms. */
  readonly timeoutMs: number;
  readonly retry: { readonly maxAttempts: number; readonly initialBackoffMs: number; readonly maxBackoffMs: number };
  readonly tokens: TokenProvider;
  /** Told about every call (metrics). */
  readonly onCall?: ((record: CallRecord) => void) | undefined;
  /** Told about each retry (logs). */
  readonly onRetry?: ((error: UpstreamError, attempt: number, delayMs: number) => void) | undefined;
}

/** One listed page. */
export interface BackupPage {
  readonly backups: Backup[];
  readonly nextPageToken: string;
}

type Stub = grpc.Client & {
  List: (...args: never[]) => grpc.ClientUnaryCall;
  Get: (...args: never[]) => grpc.ClientUnaryCall;
};

/**
 * The cloud's BackupService, read side. Retries transient codes with capped, jittered
 * backoff; on UNAUTHENTICATED refreshes the token once and retries; everything else fails
 * at once with an operator-facing hint.
 */
export class BackupClient {
  private readonly stub: Stub;

  constructor(private readonly options: BackupClientOptions) {
    const credentials = options.tls
      ? grpc.credentials.createSsl(options.caFile === null ? null : readFileSync(options.caFile))
      : grpc.credentials.createInsecure();
    const Ctor = backupServiceClientConstructor();
    this.stub = new Ctor(options.endpoint, credentials, {
      'grpc.primary_user_agent': `redis-backup-mirror/${version}`,
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    }) as unknown as Stub;
  }

  /** One page of a folder's backups. */
  async listPage(folderId: string, pageSize: number, pageToken: string, signal: AbortSignal): Promise<BackupPage> {
    const request: WireListBackupsRequest = { folder_id: folderId, page_size: pageSize, page_token: pageToken };
    const res = await this.withRetry<WireListBackupsResponse>('List', folderId, signal, (token) =>
      callUnary(this.stub.List.bind(this.stub) as never, 'List', request, this.callOptions(token, signal)),
    );
    return { backups: res.backups.map(backupFromWire), nextPageToken: res.next_page_token };
  }

  /** A backup by id, or null when the cloud says NOT_FOUND. */
  async get(backupId: string, signal: AbortSignal): Promise<Backup | null> {
    const request: WireGetBackupRequest = { backup_id: backupId };
    try {
      const res = await this.withRetry<WireBackup>('Get', undefined, signal, (token) =>
        callUnary(this.stub.Get.bind(this.stub) as never, 'Get', request, this.callOptions(token, signal)),
      );
      return backupFromWire(res);
    } catch (err) {
      if (err instanceof UpstreamError && err.code === grpc.status.NOT_FOUND) return null;
      throw err;
    }
  }

  close(): void {
    this.stub.close();
  }

  private callOptions(token: string | null, signal: AbortSignal) {
    return { token, timeoutMs: this.options.timeoutMs, signal, onCall: this.options.onCall };
  }

  private async withRetry<T>(method: string, folderId: string | undefined, signal: AbortSignal, call: (token: string | null) => Promise<T>): Promise<T> {
    const { retry, tokens } = this.options;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call(await tokens.get(signal));
      } catch (err) {
        if (!(err instanceof UpstreamError)) throw err;
        if (err.code === grpc.status.UNAUTHENTICATED && !refreshed) {
          refreshed = true;
          tokens.invalidate();
          continue;
        }
        if (!isRetryable(err.code) || attempt >= retry.maxAttempts) {
          const hint = isRetryable(err.code)
            ? `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`
            : hintFor(err.code, { folderId, endpoint: this.options.endpoint });
          throw new UpstreamError(method, err.code, err.details, err.requestId, err.serverTraceId, hint);
        }
        const delay = backoffDelay(attempt, { initialMs: retry.initialBackoffMs, maxMs: retry.maxBackoffMs });
        this.options.onRetry?.(err, attempt, delay);
        await sleep(delay, signal);
      }
    }
  }
}
