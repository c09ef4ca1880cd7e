import { timestampFromMillis } from '../mirror/backup.js';
import type { EventType, MirrorEvent } from '../mirror/event.js';
import { backupFromWire, backupToWire } from '../upstream/backup-codec.js';
import type { WireBackup, WireTimestamp } from '../upstream/proto.js';

/** `redis_backup_mirror.v1.Event.Type` numbers. */
const typeNumbers: Record<EventType, number> = { added: 1, removed: 2, updated: 3 };
const typeNames = new Map<number, EventType>(Object.entries(typeNumbers).map(([name, n]) => [n, name as EventType]));

/** `redis_backup_mirror.v1.Event` as proto-loader encodes and decodes it. */
export interface WireEvent {
  sequence: number;
  type: number;
  backup: WireBackup | null;
  folder_id: string;
  observed_at: WireTimestamp | null;
  bootstrap: boolean;
  pass_id: string;
}

/** `WatchResponse`: exactly one of `event` and `progress` (`kind` names which, when decoded). */
export interface WireWatchResponse {
  event?: WireEvent | null;
  progress?: { head_sequence: number } | null;
  kind?: 'event' | 'progress';
}

/** A log event as a `WatchResponse`. */
export function eventToWire(e: MirrorEvent): WireWatchResponse {
  return {
    event: {
      sequence: e.sequence,
      type: typeNumbers[e.type],
      backup: backupToWire(e.backup),
      folder_id: e.folderId,
      observed_at: timestampFromMillis(e.observedAt),
      bootstrap: e.bootstrap,
      pass_id: e.passId,
    },
  };
}

/** A progress message: everything up to `head` has been delivered. */
export function progressToWire(head: number): WireWatchResponse {
  return { progress: { head_sequence: head } };
}

/**
 * A received event as the mirror's model.
 * @throws Error naming the field when the server sent something this build cannot represent.
 */
export function eventFromWire(w: WireEvent): MirrorEvent {
  const type = typeNames.get(w.type);
  if (type === undefined) throw new Error(`event ${w.sequence}: unknown type ${w.type}`);
  if (w.backup === null) throw new Error(`event ${w.sequence}: backup missing`);
  const observed = w.observed_at;
  return {
    sequence: Number(w.sequence),
    type,
    folderId: w.folder_id,
    backupId: w.backup.id,
    observedAt: observed === null ? 0 : Number(observed.seconds) * 1000 + Math.round(observed.nanos / 1e6),
    passId: w.pass_id,
    bootstrap: w.bootstrap,
    backup: backupFromWire(w.backup),
  };
}
