import type { Backup } from '../../src/mirror/backup.js';

/**
 * A folder of `count` synthetic backups in pages, generated lazily (one page alive at a
 * time), ids shaped like the cloud's: `<20-char cluster id>:<YYYYMMDDTHHMMSS>`.
 * `variant` shifts which backups exist, for churn: ids with index < variant are dropped
 * and as many new ones are appended.
 */
export function* syntheticPages(folderId: string, count: number, pageSize = 1000, variant = 0): Generator<Backup[]> {
  let page: Backup[] = [];
  for (let i = variant; i < count + variant; i++) {
    page.push(syntheticBackup(folderId, i));
    if (page.length === pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

/** Text as gRPC decoding leaves it: a flat string read from bytes (a template literal builds a rope). */
function decoded(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

export function syntheticBackup(folderId: string, i: number): Backup {
  const c = Math.floor(i / 7);
  // Scrambled so ids arrive in random order, as the cloud's do (no order is documented).
  const cluster = `c9q${(Math.imul(c, 2654435761) >>> 0).toString(36).padStart(7, '0')}${c.toString(36).padStart(10, '0')}`;
  const day = i % 7;
  const seconds = 1_764_000_000 + day * 86_400;
  return {
    id: decoded(`${cluster}:202612${String(day + 1).padStart(2, '0')}T220000`),
    folderId,
    createdAt: { seconds: seconds + 300, nanos: 0 },
    sourceClusterId: decoded(cluster),
    startedAt: { seconds, nanos: 0 },
    sourceShardNames: [decoded('shard1')],
    type: 1,
  };
}
