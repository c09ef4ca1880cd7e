import type { Backup } from '../../src/mirror/backup.js';

/** A backup with plausible fields; override what the test is about. */
export function makeBackup(id: string, folderId = 'b1gfolder', overrides: Partial<Backup> = {}): Backup {
  return {
    id,
    folderId,
    createdAt: { seconds: 1_764_000_000, nanos: 123_000_000 },
    sourceClusterId: id.split(':')[0] ?? 'c9qcluster',
    startedAt: { seconds: 1_763_999_000, nanos: 0 },
    sourceShardNames: ['shard1'],
    type: 1,
    ...overrides,
  };
}
