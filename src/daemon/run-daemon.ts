import type { Config } from '../config/config.js';
import { emulatorFromConfig } from '../emulator/emulator-from-config.js';
import type { Logger } from '../log/logger.js';
import { startFacade } from '../facade/start-facade.js';
import { createMetrics } from '../metrics/create-metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { mirrorReadiness } from '../metrics/readiness.js';
import { CommitSignal } from '../mirror/commit-signal.js';
import { MirrorStore } from '../store/mirror-store.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { passSummary } from '../sync/pass-summary.js';
import type { PassOutcome } from '../sync/sync-folder.js';
import { EventPrinter } from './event-printer.js';
import { PassScheduler } from './pass-scheduler.js';

export interface DaemonOptions {
  readonly log: Logger;
  /** Print a readable line per event to this stream (the demo), or null. */
  readonly printEvents: NodeJS.WritableStream | null;
}

/** A running daemon. */
export interface Daemon {
  readonly folders: readonly string[];
  readonly metricsAddress: string;
  readonly facadeAddress: string;
  /** Stops scheduling, aborts a running pass (it commits nothing), closes servers and the database. */
  close(): Promise<void>;
}

/**
 * Starts the daemon: the mirror database (main thread: reads), the gRPC facade, the sync
 * worker (writes and upstream calls), the metrics endpoint, and the cron schedule. With `emulator.enabled`
 * the built-in emulator runs in-process and stands in for the cloud.
 */
export async function runDaemon(config: Config, options: DaemonOptions): Promise<Daemon> {
  const { log } = options;
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (err) {
        log.error('error while shutting down', { error: err });
      }
    }
  };
  try {
    const store = MirrorStore.open(config.store.path);
    closers.push(() => store.close());
    const emulator = config.emulator.enabled ? await emulatorFromConfig(config.emulator) : null;
    if (emulator !== null) closers.push(() => emulator.close());
    const folders = config.folders.length > 0 ? config.folders : (emulator?.folderIds ?? []);

    const metrics = createMetrics(store, { folders });
    const commits = new CommitSignal();
    commits.publish(store.headSequence());
    const printer = options.printEvents === null ? null : new EventPrinter(store, options.printEvents);
    commits.subscribe((head) => printer?.catchUp(head));

    const facade = await startFacade({
      listen: config.facade.listen,
      tls: config.facade.tls,
      store,
      folders,
      commits,
      logger: log,
    });
    closers.push(() => facade.close());

    const engine = await SyncEngine.start(
      { config, folders, emulator: emulator === null ? null : { address: emulator.address, token: config.emulator.token } },
      {
        onOutcome: (o) => {
          metrics.recordPass(o);
          logPass(log, o);
          if (o.lastSequence !== null) commits.publish(o.lastSequence);
          facade.refresh(); // failures and no-change passes publish nothing, but change health
        },
        onCall: (r) => metrics.recordUpstreamCall(r),
      },
    );
    closers.push(() => engine.close());

    const server: MetricsServer = await startMetricsServer({
      listen: config.metrics.listen,
      metrics,
      readiness: () => mirrorReadiness(store, folders),
    });
    closers.push(() => server.close());

    const scheduler = new PassScheduler({
      schedule: config.schedule,
      runOnStart: config.sync.runOnStart,
      runner: engine,
      onSkipped: () => {
        metrics.recordSkippedTick();
        log.warn('schedule tick skipped: the previous pass is still running', { schedule: config.schedule });
      },
      onError: (err) => log.error('pass failed', { error: err }),
    });
    scheduler.start();
    closers.push(() => scheduler.stop());

    log.info('redis-backup-mirror started', {
      folders,
      schedule: config.schedule,
      metrics: `http://${server.address}/metrics`,
      facade: facade.address,
      store: config.store.path,
      upstream: emulator === null ? config.upstream.endpoint : `built-in emulator at ${emulator.address}`,
    });
    let closing: Promise<void> | null = null;
    return {
      folders,
      metricsAddress: server.address,
      facadeAddress: facade.address,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function logPass(log: Logger, o: PassOutcome): void {
  const fields = { ...passSummary(o), pass_id: o.passId };
  if (o.ok) log.info('folder pass committed', fields);
  else log.error('folder pass failed', fields);
}
