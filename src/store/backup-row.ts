import type { Backup } from '../mirror/backup.js';

/** The backup columns shared by the `backups` and `events` tables. */
export interface BackupColumns {
  created_s: number | null;
  created_ns: number | null;
  source_cluster_id: string;
  started_s: number | null;
  started_ns: number | null;
  shard_names: string;
  backup_type: number;
}

/** Column list, in the order {@link backupTuple} produces values. */
export const backupColumnNames = 'created_s, created_ns, source_cluster_id, started_s, started_ns, shard_names, backup_type';

/** The backup's column values as a positional tuple (id first), the shape staged per page. */
export function backupTuple(b: Backup): [string, number | null, number | null, string, number | null, number | null, string, number] {
  return [
    b.id,
    b.createdAt?.seconds ?? null,
    b.createdAt?.nanos ?? null,
    b.sourceClusterId,
    b.startedAt?.seconds ?? null,
    b.startedAt?.nanos ?? null,
    JSON.stringify(b.sourceShardNames),
    b.type,
  ];
}

/** A backup read back from its columns. */
export function backupFromColumns(id: string, folderId: string, row: BackupColumns): Backup {
  return {
    id,
    folderId,
    createdAt: row.created_s === null ? null : { seconds: row.created_s, nanos: row.created_ns ?? 0 },
    sourceClusterId: row.source_cluster_id,
    startedAt: row.started_s === null ? null : { seconds: row.started_s, nanos: row.started_ns ?? 0 },
    sourceShardNames: JSON.parse(row.shard_names) as string[],
    type: row.backup_type,
  };
}

/** SQL that is true when two aliased rows differ in any backup column (NULL-safe). */
export function columnsDiffer(a: string, b: string): string {
  return backupColumnNames
    .split(', ')
    .map((c) => `${a}.${c} IS NOT ${b}.${c}`)
    .join(' OR ');
}
