import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/start-emulator.js';
import { MirrorStore } from '../../src/store/mirror-store.js';
import { BackupClient } from '../../src/upstream/backup-client.js';
import { staticTokenProvider } from '../../src/upstream/token-provider.js';
import { syncFolders } from '../../src/sync/sync-folders.js';
import type { PassOutcome } from '../../src/sync/sync-folder.js';
import { tempDir } from './temp-dir.js';

export interface MirrorFixture {
  readonly emulator: Emulator;
  readonly store: MirrorStore;
  readonly client: BackupClient;
  readonly dbFile: string;
  /** One pass over the given folders (default all of the emulator's). */
  sync(folders?: readonly string[], options?: { pageSize?: number; confirmRemovals?: boolean }): Promise<PassOutcome[]>;
}

/** A real emulator on 127.0.0.1:0, a real SQLite mirror in a temp dir and a client, torn down after the test. */
export async function mirrorFixture(
  t: ExecutionContext,
  emulatorOptions: EmulatorOptions = {},
  clientOptions: { maxAttempts?: number; timeoutMs?: number } = {},
): Promise<MirrorFixture> {
  const emulator = await startEmulator(emulatorOptions);
  const dbFile = path.join(tempDir(t), 'mirror.db');
  const store = MirrorStore.open(dbFile);
  const client = new BackupClient({
    endpoint: emulator.address,
    tls: false,
    caFile: null,
    timeoutMs: clientOptions.timeoutMs ?? 5000,
    retry: { maxAttempts: clientOptions.maxAttempts ?? 1, initialBackoffMs: 1, maxBackoffMs: 5 },
    tokens: staticTokenProvider(emulatorOptions.token ?? null),
  });
  t.teardown(async () => {
    client.close();
    store.close();
    await emulator.close();
  });
  return {
    emulator,
    store,
    client,
    dbFile,
    sync: (folders = emulator.folderIds, options = {}) =>
      syncFolders(store, client, folders, {
        pageSize: options.pageSize ?? 7,
        confirmRemovals: options.confirmRemovals ?? true,
        concurrency: 4,
        passTimeoutMs: 60_000,
        signal: new AbortController().signal,
      }),
  };
}

/** The mirror's backups of a folder, in id order, as ids. */
export function mirroredIds(store: MirrorStore, folderId: string): string[] {
  return store.backups.list(folderId, null, 1_000_000).map((b) => b.id);
}
