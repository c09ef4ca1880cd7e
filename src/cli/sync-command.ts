import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../log/logger.js';
import { MirrorStore } from '../store/mirror-store.js';
import { syncFolders } from '../sync/sync-folders.js';
import { passSummary } from '../sync/pass-summary.js';
import type { CommandIo } from './command-io.js';
import { openUpstream } from './open-upstream.js';
import { configPath, parseFlags } from './parse-flags.js';
import { UsageError } from './usage-error.js';

/**
 * `sync --config FILE [--folder ID ...]`: one pass over each folder, one JSON summary line
 * per folder on stdout. Exit 0 if every folder succeeded, 1 otherwise.
 */
export async function syncCommand(argv: string[], io: CommandIo): Promise<number> {
  const flags = parseFlags('sync', argv, { config: { type: 'string' }, folder: { type: 'string', multiple: true } });
  const config = loadConfig(configPath('sync', flags.config, io.env), io.env);
  const log = createLogger(config.log.level, io.stderr);
  const store = MirrorStore.open(config.store.path);
  const upstream = await openUpstream(config, log);
  try {
    const folders = flags.folder ?? upstream.folders;
    const unknown = folders.filter((f) => !upstream.folders.includes(f));
    if (unknown.length > 0) throw new UsageError(`sync: --folder ${unknown.join(', ')} is not in the configured folders`);
    const outcomes = await syncFolders(store, upstream.client, folders, {
      pageSize: config.upstream.pageSize,
      confirmRemovals: config.sync.confirmRemovals,
      concurrency: config.sync.concurrency,
      passTimeoutMs: config.sync.passTimeoutMs,
      signal: new AbortController().signal,
    });
    for (const o of outcomes) io.stdout.write(`${JSON.stringify(passSummary(o))}\n`);
    return outcomes.every((o) => o.ok) ? 0 : 1;
  } finally {
    await upstream.close();
    store.close();
  }
}
