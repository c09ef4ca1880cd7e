import * as grpc from '@grpc/grpc-js';
import { backupServiceDefinition } from '../upstream/proto.js';
import { backupServiceHandlers } from './backup-service-handlers.js';
import { Catalog } from './catalog.js';
import { authCheck } from './emulator-auth.js';
import { EmulatorClock } from './emulator-clock.js';
import { EmulatorStats } from './emulator-stats.js';
import { FaultController } from './fault-controller.js';

export interface EmulatorOptions {
  /** Catalog PRNG seed (default 1). */
  seed?: number;
  /** Number of generated folders (default 3). */
  folders?: number;
  /** Clusters per folder, each with ~7 daily backups (default 5). */
  clustersPerFolder?: number;
  /** Initial emulated time, ms since the epoch (default 2026-12-01T12:00:00Z). */
  start?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = any free port). */
  port?: number;
  /** Require `authorization: Bearer <token>` with this token. */
  token?: string;
  /** Require a bearer token this predicate accepts (wins over `token`). */
  acceptToken?: (t: string) => boolean;
  /** Fast clock: one simulated day every this many real ms (default: manual clock). */
  dayEveryMs?: number;
}

export interface Emulator {
  /** `host:port` to dial, e.g. "127.0.0.1:45123". */
  readonly address: string;
  readonly port: number;
  readonly folderIds: readonly string[];
  readonly clock: EmulatorClock;
  readonly catalog: Catalog;
  readonly faults: FaultController;
  readonly stats: EmulatorStats;
  /** Stops serving: graceful, then forced after a grace period (ms) of 1000. */
  close(): Promise<void>;
}

const closeGraceMs = 1000;

/** Starts a cloud emulator serving BackupService List/Get over plaintext gRPC. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const clock = new EmulatorClock(options.start, options.dayEveryMs);
  const catalog = new Catalog(
    { seed: options.seed ?? 1, folders: options.folders ?? 3, clustersPerFolder: options.clustersPerFolder ?? 5 },
    () => clock.now(),
  );
  const faults = new FaultController();
  const stats = new EmulatorStats();
  const authenticate = authCheck({
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.acceptToken === undefined ? {} : { acceptToken: options.acceptToken }),
  });

  const server = new grpc.Server();
  server.addService(backupServiceDefinition(), backupServiceHandlers({ catalog, faults, stats, authenticate }));
  const host = options.host ?? '127.0.0.1';
  const bindHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${bindHost}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err === null) resolve(bound);
      else reject(new Error(`emulator: cannot listen on ${bindHost}:${options.port ?? 0}: ${err.message}`));
    });
  });

  let closing: Promise<void> | undefined;
  return {
    address: `${bindHost}:${port}`,
    port,
    folderIds: catalog.folderIds,
    clock,
    catalog,
    faults,
    stats,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, closeGraceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
