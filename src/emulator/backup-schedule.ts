import type { Backup } from '../mirror/backup.js';
import { BackupType } from '../mirror/backup.js';
import { hashInts, hashString } from './hash.js';

/**
 * The daily automated-backup schedule of one generated cluster, as pure functions of
 * (seed, cluster id, UTC day). Nothing is stored: a cluster's backups at any instant are
 * recomputed from here, which is what keeps the emulator's memory O(clusters).
 */

/** One day in milliseconds. */
export const dayMs = 86_400_000;
/** Retention of automated backups: 7 days, in milliseconds. */
export const retentionMs = 7 * dayMs;

/** Backups start in the window 22:00..24:00 UTC; this is its opening, seconds after midnight. */
const windowOpenSec = 22 * 3600;
const windowMinutes = 120;
/** A backup runs 2..10 minutes (seconds). */
const minDurationSec = 120;
const durationSpreadSec = 480;

/** What is fixed per cluster, derived from its id (once per cluster visit, not per backup). */
export interface ClusterPlan {
  readonly folderId: string;
  readonly clusterId: string;
  /** Per-cluster hash every per-day attribute is mixed from. */
  readonly key: number;
  /** Minutes after 22:00 UTC the daily backup starts (0..119). */
  readonly offsetMinutes: number;
  readonly shardNames: readonly string[];
}

const shardSets: readonly (readonly string[])[] = [
  ['shard1'],
  ['shard1', 'shard2', 'shard3'],
  ['shard1', 'shard2', 'shard3', 'shard4', 'shard5'],
];

/** The fixed schedule parameters of a cluster (pure in seed and ids). */
export function clusterPlan(seed: number, folderId: string, clusterId: string): ClusterPlan {
  const key = hashString(seed, clusterId);
  const shardPick = hashInts(key, 1) % 10;
  // Most managed Redis clusters are not sharded; some have 3 or 5 shards.
  const shardNames = shardSets[shardPick < 6 ? 0 : shardPick < 9 ? 1 : 2] ?? ['shard1'];
  return { folderId, clusterId, key, offsetMinutes: hashInts(key, 2) % windowMinutes, shardNames };
}

/** `YYYYMMDDTHHMMSS` (UTC) of epoch seconds, the suffix of a backup id. */
export function backupStamp(epochSeconds: number): string {
  // Plain arithmetic (civil-from-days) instead of Date: this runs once per listed backup.
  const days = Math.floor(epochSeconds / 86_400);
  const secOfDay = epochSeconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  return `${String(year).padStart(4, '0')}${two(month)}${two(day)}T${two(hh)}${two(mm)}${two(ss)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Epoch seconds of a `YYYYMMDDTHHMMSS` stamp, or undefined when it is not one. */
export function parseBackupStamp(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(stamp);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined || s === undefined) {
    return undefined;
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return backupStamp(ms / 1000) === stamp ? ms / 1000 : undefined;
}

/** Times of one daily run: start and completion, epoch seconds plus milliseconds. */
interface DailyRun {
  readonly startSec: number;
  readonly startMillis: number;
  readonly endSec: number;
  readonly endMillis: number;
}

function dailyRun(plan: ClusterPlan, day: number): DailyRun {
  const daily = hashInts(plan.key, 3, day);
  const startSec = day * 86_400 + windowOpenSec + plan.offsetMinutes * 60 + (daily % 60);
  return {
    startSec,
    startMillis: (daily >>> 6) % 1000,
    endSec: startSec + minDurationSec + ((daily >>> 16) % durationSpreadSec),
    endMillis: hashInts(plan.key, 4, day) % 1000,
  };
}

function runToBackup(plan: ClusterPlan, run: DailyRun): Backup {
  return {
    id: `${plan.clusterId}:${backupStamp(run.startSec)}`,
    folderId: plan.folderId,
    createdAt: { seconds: run.endSec, nanos: run.endMillis * 1_000_000 },
    sourceClusterId: plan.clusterId,
    startedAt: { seconds: run.startSec, nanos: run.startMillis * 1_000_000 },
    sourceShardNames: plan.shardNames,
    type: BackupType.AUTOMATED,
  };
}

/** The automated backup a cluster makes on UTC day `day` (days since the epoch). */
export function dailyBackup(plan: ClusterPlan, day: number): Backup {
  return runToBackup(plan, dailyRun(plan, day));
}

/** Whether a backup completed at `createdMs` is retained at clock time `atMs`: (at - 7 days, at]. */
export function isRetained(createdMs: number, atMs: number): boolean {
  return createdMs > atMs - retentionMs && createdMs <= atMs;
}

/** Days whose run may be retained at `atMs`: a day-d run completes before d+1 03:00 UTC. */
function candidateDays(atMs: number): { first: number; last: number } {
  return { first: Math.floor((atMs - retentionMs) / dayMs) - 1, last: Math.floor(atMs / dayMs) };
}

function retainedRun(run: DailyRun, atMs: number): boolean {
  return isRetained(run.endSec * 1000 + run.endMillis, atMs);
}

/**
 * The cluster's backups retained at `atMs`, oldest first (which is also id order, since
 * ids end in the start stamp).
 */
export function retainedBackups(plan: ClusterPlan, atMs: number): Backup[] {
  const out: Backup[] = [];
  const { first, last } = candidateDays(atMs);
  for (let day = first; day <= last; day++) {
    const run = dailyRun(plan, day);
    if (retainedRun(run, atMs)) out.push(runToBackup(plan, run));
  }
  return out;
}

/** How many backups the cluster has retained at `atMs` (no objects built). */
export function retainedCount(plan: ClusterPlan, atMs: number): number {
  let n = 0;
  const { first, last } = candidateDays(atMs);
  for (let day = first; day <= last; day++) {
    if (retainedRun(dailyRun(plan, day), atMs)) n++;
  }
  return n;
}

/** The generated backup with this id if the cluster has it retained at `atMs`. */
export function retainedBackupById(plan: ClusterPlan, id: string, atMs: number): Backup | undefined {
  const prefix = `${plan.clusterId}:`;
  if (!id.startsWith(prefix)) return undefined;
  const startSec = parseBackupStamp(id.slice(prefix.length));
  if (startSec === undefined) return undefined;
  const run = dailyRun(plan, Math.floor(startSec / 86_400));
  return run.startSec === startSec && retainedRun(run, atMs) ? runToBackup(plan, run) : undefined;
}
