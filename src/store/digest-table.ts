import type Database from 'better-sqlite3';
import type { Backup } from '../mirror/backup.js';
import { DigestEntries } from '../mirror/digest-entries.js';
import { digestOf, mergeInto } from '../mirror/digest-merge.js';
import { decodeDigestParts, DigestPartWriter } from '../mirror/digest-parts.js';
import { DigestView } from '../mirror/digest-view.js';
import { fingerprint, type IdHash } from '../mirror/fingerprint.js';
import { emptyDigest, entryId, type FolderDigest } from '../mirror/folder-digest.js';
import { backupColumnNames, backupFromColumns, type BackupColumns } from './backup-row.js';
import { statement } from './statement-cache.js';

type Kind = 'base' | 'removed' | 'upserted';

interface DigestRow {
  generation: number;
  hash_check: number;
  print_check: number;
  base_entries: number;
  base_id_bytes: number;
  removed_entries: number;
  removed_id_bytes: number;
  upserted_entries: number;
  upserted_id_bytes: number;
}

/** A folder's digest, ready for a listing, and the generation it was stored with (null: none stored). */
export interface LoadedDigest {
  readonly view: DigestView;
  readonly generation: number | null;
  /** False when the view's base was rebuilt: the next save must then store a new base, not a delta. */
  readonly baseStored: boolean;
}

// Probes of the hash and fingerprint functions, stored with each digest: a digest made with
// other functions (another build, a test's injected hash) would match nothing, and is rebuilt.
const probe: Backup = {
  id: 'redis-backup-mirror digest probe',
  folderId: '',
  createdAt: { seconds: 1, nanos: 2 },
  sourceClusterId: 'probe',
  startedAt: null,
  sourceShardNames: ['a', 'b'],
  type: 3,
};

function checks(hash: IdHash): { hashCheck: number; printCheck: number } {
  return { hashCheck: hash(probe.id), printCheck: fingerprint(probe) };
}

/** The generation of the folder's stored digest, or null if none is stored. */
export function digestGeneration(db: Database.Database, folderId: string): number | null {
  const row = statement(db, 'SELECT generation FROM folder_digests WHERE folder_id = ?').get(folderId) as { generation: number } | undefined;
  return row?.generation ?? null;
}

/**
 * The folder's digest as stored (base plus delta), or rebuilt from `backups` when it is
 * missing, unreadable or does not count as many backups as the folder records (a database
 * from before the digest).
 */
export function loadDigest(db: Database.Database, folderId: string, hash: IdHash): LoadedDigest {
  const row = statement(db, 'SELECT * FROM folder_digests WHERE folder_id = ?').get(folderId) as DigestRow | undefined;
  const generation = row?.generation ?? null;
  const { hashCheck, printCheck } = checks(hash);
  const usable = row !== undefined && row.hash_check === hashCheck && row.print_check === printCheck;
  const view = usable ? readStored(db, folderId, row) : null;
  const recorded = statement(db, 'SELECT backup_count FROM folders WHERE folder_id = ?').get(folderId) as { backup_count: number } | undefined;
  if (view !== null && view.mirrorSize === (recorded?.backup_count ?? 0) && (view.mirrorSize > 0 || !hasBackups(db, folderId))) {
    return { view, generation, baseStored: true };
  }
  return { view: new DigestView(rebuildDigest(db, folderId, hash)), generation, baseStored: false };
}

function hasBackups(db: Database.Database, folderId: string): boolean {
  return statement(db, 'SELECT 1 FROM backups WHERE folder_id = ? LIMIT 1').get(folderId) !== undefined;
}

/** The parts of one kind, read one at a time into a digest allocated once. */
function readParts(db: Database.Database, folderId: string, kind: Kind, count: number, idBytes: number): FolderDigest | null {
  const rows = statement(db, 'SELECT data FROM folder_digest_parts WHERE folder_id = ? AND kind = ? ORDER BY part').iterate(folderId, kind) as Iterable<{
    data: Buffer;
  }>;
  function* parts(): Generator<Buffer> {
    for (const row of rows) yield row.data;
  }
  return decodeDigestParts(parts(), count, idBytes);
}

function readStored(db: Database.Database, folderId: string, row: DigestRow): DigestView | null {
  const base = readParts(db, folderId, 'base', row.base_entries, row.base_id_bytes);
  if (base === null) return null;
  let view: DigestView;
  try {
    view = new DigestView(base);
  } catch (err) {
    if (err instanceof RangeError) return null; // hashes out of order
    throw err;
  }
  const removed = readParts(db, folderId, 'removed', row.removed_entries, row.removed_id_bytes);
  if (removed === null) return null;
  for (let i = 0; i < removed.count; i++) if (!view.removeFromBase(entryId(removed, i), removed.hashes[i] ?? 0)) return null;
  const upserted = readParts(db, folderId, 'upserted', row.upserted_entries, row.upserted_id_bytes);
  if (upserted === null) return null;
  for (let i = 0; i < upserted.count; i++) if (!view.upsert(entryId(upserted, i), upserted.hashes[i] ?? 0, upserted.prints[i] ?? 0)) return null;
  return view;
}

/** The digest of what `backups` holds for the folder (one read of its rows, in bounded memory). */
export function rebuildDigest(db: Database.Database, folderId: string, hash: IdHash): FolderDigest {
  if (!hasBackups(db, folderId)) return emptyDigest();
  const entries = new DigestEntries();
  const rows = statement(db, `SELECT id, ${backupColumnNames} FROM backups WHERE folder_id = ?`).iterate(folderId) as Iterable<
    BackupColumns & { id: string }
  >;
  for (const r of rows) entries.push(r.id, hash(r.id), fingerprint(backupFromColumns(r.id, folderId, r)));
  return digestOf(entries);
}

/**
 * Whether to store a pass as a delta against the stored base rather than a new base: while
 * the delta stays within an eighth of the base, so that loading stays one base read plus a
 * little, and the base is rewritten about once every eighth of the folder changed.
 */
export function storesDelta(view: DigestView, baseStored: boolean): boolean {
  return baseStored && view.base.count > 0 && 8 * view.deltaSize() <= view.base.count;
}

/**
 * Stores the folder's digest after a listing — a delta, or a new base streamed part by part
 * (never whole in memory) — with the next generation. Call inside the pass's transaction.
 * @param baseStored whether the view's base is the one stored (see {@link LoadedDigest}).
 */
export function saveDigest(db: Database.Database, folderId: string, view: DigestView, hash: IdHash, baseStored: boolean, generation: number): void {
  const deleteKind = statement(db, 'DELETE FROM folder_digest_parts WHERE folder_id = ? AND kind = ?');
  const insert = statement(db, 'INSERT INTO folder_digest_parts (folder_id, kind, part, data) VALUES (?, ?, ?, ?)');
  const writer = (kind: Kind): DigestPartWriter => {
    let part = 0;
    return new DigestPartWriter((data) => insert.run(folderId, kind, part++, data));
  };
  const removed = writer('removed');
  const upserted = writer('upserted');
  deleteKind.run(folderId, 'removed');
  deleteKind.run(folderId, 'upserted');
  let base: { count: number; idBytes: number };
  if (storesDelta(view, baseStored)) {
    view.writeDelta(removed, upserted);
    base = { count: view.base.count, idBytes: view.base.ids.length };
  } else {
    deleteKind.run(folderId, 'base');
    const baseWriter = writer('base');
    mergeInto(view.nextBase(), baseWriter);
    base = baseWriter.finish();
  }
  const r = removed.finish();
  const u = upserted.finish();
  const { hashCheck, printCheck } = checks(hash);
  statement(db, `INSERT OR REPLACE INTO folder_digests (folder_id, generation, hash_check, print_check, base_entries, base_id_bytes,
      removed_entries, removed_id_bytes, upserted_entries, upserted_id_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(folderId, generation, hashCheck, printCheck, base.count, base.idBytes, r.count, r.idBytes, u.count, u.idBytes);
}
