/**
 * The mirror's own model of a Redis backup: the cloud's `Backup` message in plain data,
 * independent of gRPC and SQLite. Timestamps keep the wire's seconds + nanos so that a
 * backup round-trips through the mirror byte for byte.
 */

/** A protobuf `google.protobuf.Timestamp`: whole seconds since the epoch plus nanoseconds (0..999,999,999). */
export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}

/** `Backup.BackupType` numbers; values the mirror does not know yet are kept as they came. */
export const BackupType = {
  UNSPECIFIED: 0,
  AUTOMATED: 1,
  MANUAL: 2,
} as const;

export interface Backup {
  readonly id: string;
  readonly folderId: string;
  /** When the backup operation completed; null when the cloud omitted it. */
  readonly createdAt: Timestamp | null;
  readonly sourceClusterId: string;
  /** When the backup operation started; null when the cloud omitted it. */
  readonly startedAt: Timestamp | null;
  readonly sourceShardNames: readonly string[];
  /** A `Backup.BackupType` number (see {@link BackupType}). */
  readonly type: number;
}

const typeNames: Record<number, string> = {
  0: 'BACKUP_TYPE_UNSPECIFIED',
  1: 'AUTOMATED',
  2: 'MANUAL',
};

/** The enum name of a backup type number, or the number itself as text if unknown. */
export function backupTypeName(type: number): string {
  return typeNames[type] ?? String(type);
}

/** RFC 3339 text of a timestamp, with nanoseconds only when there are any. */
export function timestampToRfc3339(ts: Timestamp): string {
  const base = new Date(ts.seconds * 1000).toISOString().slice(0, 19);
  if (ts.nanos === 0) return `${base}Z`;
  return `${base}.${String(ts.nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

/** Seconds since the epoch as a float (what Prometheus wants), or null. */
export function timestampToSeconds(ts: Timestamp | null): number | null {
  return ts === null ? null : ts.seconds + ts.nanos / 1e9;
}

/** A timestamp from milliseconds since the epoch. */
export function timestampFromMillis(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: Math.round(ms - seconds * 1000) * 1e6 };
}

/** Whether two backups carry the same fields (what the cloud would send for both). */
export function sameBackup(a: Backup, b: Backup): boolean {
  return (
    a.id === b.id &&
    a.folderId === b.folderId &&
    a.sourceClusterId === b.sourceClusterId &&
    a.type === b.type &&
    sameTimestamp(a.createdAt, b.createdAt) &&
    sameTimestamp(a.startedAt, b.startedAt) &&
    a.sourceShardNames.length === b.sourceShardNames.length &&
    a.sourceShardNames.every((name, i) => name === b.sourceShardNames[i])
  );
}

function sameTimestamp(a: Timestamp | null, b: Timestamp | null): boolean {
  if (a === null || b === null) return a === b;
  return a.seconds === b.seconds && a.nanos === b.nanos;
}

/** The backup as a JSON-friendly object (RFC 3339 times, enum names), for CLI output and logs. */
export function backupToJson(b: Backup): Record<string, unknown> {
  return {
    id: b.id,
    folder_id: b.folderId,
    created_at: b.createdAt === null ? null : timestampToRfc3339(b.createdAt),
    source_cluster_id: b.sourceClusterId,
    started_at: b.startedAt === null ? null : timestampToRfc3339(b.startedAt),
    source_shard_names: [...b.sourceShardNames],
    type: backupTypeName(b.type),
  };
}
