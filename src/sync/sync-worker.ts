// The sync worker thread: owns the database's write connection and the upstream client,
// so that a large pass's staging and commit never stall the main thread's gRPC and
// metrics answers (better-sqlite3 is synchronous).
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../log/logger.js';
import { MirrorStore } from '../store/mirror-store.js';
import { clientFromConfig } from '../upstream/client-from-config.js';
import { syncFolders } from './sync-folders.js';
import type { FromWorker, SyncWorkerData, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('sync-worker.ts runs only as a worker thread');
const data = workerData as SyncWorkerData;
const { config } = data;
const log = createLogger(config.log.level);
const post = (message: FromWorker): void => port.postMessage(message);

try {
  const store = MirrorStore.open(config.store.path);
  const upstream = config.upstream;
  const { client, tokens } = clientFromConfig(config, data.emulator, log, (record) => post({ kind: 'call', record }));
  let current: AbortController | null = null;

  port.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'run': {
        const controller = new AbortController();
        current = controller;
        syncFolders(store, client, data.folders, {
          pageSize: upstream.pageSize,
          confirmRemovals: config.sync.confirmRemovals,
          concurrency: config.sync.concurrency,
          passTimeoutMs: config.sync.passTimeoutMs,
          signal: controller.signal,
          onOutcome: (outcome) => post({ kind: 'outcome', outcome }),
        })
          .then((outcomes) => post({ kind: 'done', id: message.id, outcomes }))
          .catch((err: unknown) => post({ kind: 'failed', error: err instanceof Error ? err.message : String(err) }))
          .finally(() => {
            if (current === controller) current = null;
          });
        return;
      }
      case 'abort':
        current?.abort(new Error('the daemon is shutting down'));
        return;
      case 'close':
        client.close();
        tokens.close();
        store.close();
        post({ kind: 'closed' });
        port.close();
        return;
    }
  });
  post({ kind: 'ready' });
} catch (err) {
  post({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
  port.close();
}
