import type { Backup, Timestamp } from '../mirror/backup.js';
import type { WireBackup, WireTimestamp } from './proto.js';

/** A wire `Backup` (as proto-loader decodes it) as the mirror's {@link Backup}. */
export function backupFromWire(w: WireBackup): Backup {
  return {
    id: w.id,
    folderId: w.folder_id,
    createdAt: timestampFromWire(w.created_at),
    sourceClusterId: w.source_cluster_id,
    startedAt: timestampFromWire(w.started_at),
    sourceShardNames: w.source_shard_names,
    type: w.type,
  };
}

/** The mirror's {@link Backup} as a wire object grpc-js can serialize. */
export function backupToWire(b: Backup): WireBackup {
  return {
    id: b.id,
    folder_id: b.folderId,
    created_at: b.createdAt,
    source_cluster_id: b.sourceClusterId,
    started_at: b.startedAt,
    source_shard_names: [...b.sourceShardNames],
    type: b.type,
  };
}

function timestampFromWire(ts: WireTimestamp | null | undefined): Timestamp | null {
  if (ts === null || ts === undefined) return null;
  return { seconds: Number(ts.seconds), nanos: ts.nanos };
}
