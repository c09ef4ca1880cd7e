import { timestampToRfc3339 } from '../mirror/backup.js';
import type { MirrorEvent } from '../mirror/event.js';
import type { MirrorStore } from '../store/mirror-store.js';

/** One readable line per event, for people watching the demo. */
export function formatEvent(e: MirrorEvent): string {
  const created = e.backup.createdAt === null ? 'no creation time' : `created ${timestampToRfc3339(e.backup.createdAt)}`;
  const note = e.bootstrap ? ' (already existed)' : '';
  return `#${e.sequence} ${e.type.padEnd(7)} ${e.backupId} in ${e.folderId}, cluster ${e.backup.sourceClusterId}, ${created}${note}`;
}

/** Prints the log's new events as they are committed, reading them from the mirror page by page. */
export class EventPrinter {
  private printed: number;

  constructor(
    private readonly store: MirrorStore,
    private readonly out: NodeJS.WritableStream,
    from = 0,
  ) {
    this.printed = from;
  }

  /** Prints every event up to `head`. */
  catchUp(head: number): void {
    while (this.printed < head) {
      const page = this.store.events(this.printed, { limit: 1000 });
      const last = page.at(-1);
      if (last === undefined) return;
      this.out.write(page.map(formatEvent).join('\n') + '\n');
      this.printed = last.sequence;
    }
  }
}
