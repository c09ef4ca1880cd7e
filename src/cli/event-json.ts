import { backupToJson } from '../mirror/backup.js';
import type { MirrorEvent } from '../mirror/event.js';

/** An event as one JSON-lines object: snake_case, RFC 3339 times. */
export function eventToJson(e: MirrorEvent): Record<string, unknown> {
  return {
    sequence: e.sequence,
    type: e.type,
    folder_id: e.folderId,
    backup_id: e.backupId,
    observed_at: new Date(e.observedAt).toISOString(),
    pass_id: e.passId,
    bootstrap: e.bootstrap,
    backup: backupToJson(e.backup),
  };
}
