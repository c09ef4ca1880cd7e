import { loadConfig } from '../config/load-config.js';
import { MirrorStore } from '../store/mirror-store.js';
import type { CommandIo } from './command-io.js';
import { eventToJson } from './event-json.js';
import { configPath, integerFlag, parseFlags } from './parse-flags.js';

/** `events --config FILE [--after SEQ] [--folder ID]`: the log as JSON lines, read page by page. */
export async function eventsCommand(argv: string[], io: CommandIo): Promise<number> {
  const flags = parseFlags('events', argv, { config: { type: 'string' }, after: { type: 'string' }, folder: { type: 'string' } });
  const config = loadConfig(configPath('events', flags.config, io.env), io.env);
  let after = integerFlag('events', 'after', flags.after, 0);
  const store = MirrorStore.open(config.store.path);
  try {
    for (;;) {
      const page = store.events(after, { limit: 1000, folderId: flags.folder });
      const last = page.at(-1);
      if (last === undefined) return 0;
      const ok = io.stdout.write(page.map((e) => JSON.stringify(eventToJson(e))).join('\n') + '\n');
      if (!ok) await new Promise((resolve) => io.stdout.once('drain', resolve));
      after = last.sequence;
    }
  } finally {
    store.close();
  }
}
