import { isIPv6 } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from '../log/logger.js';
import type { CommitSignal } from '../mirror/commit-signal.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { backupServiceHandlers, bytesBackupServiceDefinition, pageKeyPrefix, type CachedBackup } from './backup-service.js';
import { ByteLru } from './byte-lru.js';
import { facadePackageDefinition, facadeServiceDefinition, mirrorServiceName } from './facade-protos.js';
import { FacadeHealth } from './facade-health.js';
import { FolderDirectory } from './folder-directory.js';
import { getStatusHandler } from './mirror-status.js';
import { PageTokenCodec } from './page-token.js';
import { serverCredentials, type FacadeTls } from './server-credentials.js';
import { shuttingDown, watchHandler } from './watch-stream.js';

export interface FacadeOptions {
  /** Where to listen; port 0 picks a free one. IPv6 hosts without brackets. */
  readonly listen: { readonly host: string; readonly port: number };
  /** Null = plaintext; otherwise TLS, and mutual TLS when `clientCa` is set (absolute paths). */
  readonly tls: FacadeTls | null;
  /** A connection of the thread the facade runs on; passes may commit through another (WAL). */
  readonly store: MirrorStore;
  /** The configured folders: the only ones served. */
  readonly folders: readonly string[];
  /** Where the daemon publishes the head after each commit: wakes Watch streams and refreshes caches. */
  readonly commits: CommitSignal;
  readonly logger: Logger;
  /** HMAC key of page tokens (>= 16 bytes); default random per process (tokens do not survive a restart). */
  readonly pageTokenKey?: Buffer;
  /** An idle Watch stream gets a progress message this often, ms; default 5000. */
  readonly progressIntervalMs?: number;
  /** Folder states (health, cache validity) are also re-read this often, ms; default 1000. */
  readonly refreshIntervalMs?: number;
  /** Budget of the encoded List page cache, bytes; default 64 MiB. */
  readonly listCacheBytes?: number;
  /** Budget of the encoded Get answer cache, bytes; default 16 MiB. */
  readonly getCacheBytes?: number;
}

/** Counters for metrics and tests. */
export interface FacadeStats {
  readonly watchStreams: number;
  readonly listCache: { readonly hits: number; readonly misses: number; readonly bytes: number };
  readonly getCache: { readonly hits: number; readonly misses: number; readonly bytes: number };
}

export interface Facade {
  /** `host:port` it listens on (IPv6 in brackets), e.g. "127.0.0.1:50051". */
  readonly address: string;
  readonly port: number;
  /**
   * Re-reads folder states now: health and cache validity. The facade already does this
   * on every CommitSignal publish and every `refreshIntervalMs`; the daemon may call it
   * after each pass (a failed pass publishes no commit) to update health at once.
   */
  refresh(): void;
  /** False reports every health status NOT_SERVING (drain before shutdown); true restores them. */
  setServing(serving: boolean): void;
  stats(): FacadeStats;
  /** Health NOT_SERVING, Watch streams end with UNAVAILABLE, then a graceful stop forced after `graceMs` (default 5000). */
  close(graceMs?: number): Promise<void>;
}

const watchBatchSize = 256;

/**
 * Starts the gRPC facade: the cloud's BackupService (Get, List) answered from the mirror,
 * our MirrorService (Watch, GetStatus), grpc.health.v1 and server reflection.
 * @throws Error naming the address when it cannot listen, or the TLS file it cannot read.
 */
export async function startFacade(options: FacadeOptions): Promise<Facade> {
  const { store, logger, commits } = options;
  const directory = new FolderDirectory(store, options.folders);
  const pages = new ByteLru<Buffer>(options.listCacheBytes ?? 64 * 1024 * 1024);
  const backups = new ByteLru<CachedBackup>(options.getCacheBytes ?? 16 * 1024 * 1024);
  const health = new FacadeHealth();
  const watchStreams = new Set<AbortController>();

  const refresh = (): void => {
    const changed = directory.refresh();
    for (const folderId of changed) pages.deletePrefix(pageKeyPrefix(folderId));
    if (changed.length > 0) backups.clear();
    health.setSynced(directory.allSynced());
  };
  let closing: Promise<void> | undefined;
  const safeRefresh = (): void => {
    if (closing !== undefined) return;
    try {
      refresh();
    } catch (err) {
      logger.error('facade: cannot read folder states', { error: err instanceof Error ? err.message : String(err) });
    }
  };
  refresh();

  const server = new grpc.Server({ 'grpc.keepalive_time_ms': 60_000, 'grpc.keepalive_timeout_ms': 20_000 });
  server.addService(
    bytesBackupServiceDefinition(),
    backupServiceHandlers({ store, directory, tokens: new PageTokenCodec(options.pageTokenKey), pages, backups, refresh, logger }),
  );
  server.addService(facadeServiceDefinition(mirrorServiceName), {
    Watch: watchHandler(
      { store, directory, commits, logger, progressIntervalMs: options.progressIntervalMs ?? 5000, batchSize: watchBatchSize },
      watchStreams,
    ),
    GetStatus: getStatusHandler(store, options.folders, logger),
  });
  health.addToServer(server);
  new ReflectionService(facadePackageDefinition()).addToServer(server);

  const host = isIPv6(options.listen.host) ? `[${options.listen.host}]` : options.listen.host;
  const credentials = serverCredentials(options.tls);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.listen.port}`, credentials, (err, bound) => {
      if (err === null) resolve(bound);
      else reject(new Error(`facade.listen: cannot listen on ${host}:${options.listen.port}: ${err.message}`));
    });
  });

  // Commits arrive in bursts (one per folder); refresh once per burst, off the publisher's stack.
  let scheduled = false;
  const unsubscribe = commits.subscribe(() => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      safeRefresh();
    });
  });
  const timer = setInterval(safeRefresh, options.refreshIntervalMs ?? 1000);
  timer.unref();
  logger.info('facade listening', { address: `${host}:${port}`, tls: options.tls === null ? 'off' : options.tls.clientCa === null ? 'tls' : 'mtls' });

  return {
    address: `${host}:${port}`,
    port,
    refresh,
    setServing: (serving) => health.setServing(serving),
    stats: () => ({
      watchStreams: watchStreams.size,
      listCache: { hits: pages.hits, misses: pages.misses, bytes: pages.bytes },
      getCache: { hits: backups.hits, misses: backups.misses, bytes: backups.bytes },
    }),
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        health.setServing(false);
        clearInterval(timer);
        unsubscribe();
        for (const stream of watchStreams) stream.abort(shuttingDown);
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
