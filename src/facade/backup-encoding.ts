import type { Backup, Timestamp } from '../mirror/backup.js';
import { ProtoWriter, varintSize } from './proto-writer.js';

/**
 * Hand-written protobuf encoders for `yandex.cloud.mdb.redis.v1.Backup` and
 * `ListBackupsResponse`, producing the same bytes as protobufjs (fields in number order,
 * proto3 defaults omitted, set sub-messages always present). Encoding 1000 backups
 * through the generic object serializer is what made List CPU-bound; this writes them
 * straight from the mirror's model, once per cached page.
 */

function timestampSize(ts: Timestamp): number {
  return (ts.seconds === 0 ? 0 : 1 + varintSize(ts.seconds)) + (ts.nanos === 0 ? 0 : 1 + varintSize(ts.nanos));
}

function stringFieldSize(byteLength: number, always = false): number {
  return byteLength === 0 && !always ? 0 : 1 + varintSize(byteLength) + byteLength;
}

function messageFieldSize(size: number): number {
  return 1 + varintSize(size) + size;
}

/** A backup with its encoded size and the UTF-8 lengths the writer needs. */
interface Sized {
  readonly backup: Backup;
  readonly size: number;
  readonly idLen: number;
  readonly folderLen: number;
  readonly clusterLen: number;
  readonly shardLens: number[];
}

function sizeBackup(b: Backup): Sized {
  const idLen = Buffer.byteLength(b.id, 'utf8');
  const folderLen = Buffer.byteLength(b.folderId, 'utf8');
  const clusterLen = Buffer.byteLength(b.sourceClusterId, 'utf8');
  const shardLens = b.sourceShardNames.map((s) => Buffer.byteLength(s, 'utf8'));
  let size = stringFieldSize(idLen) + stringFieldSize(folderLen) + stringFieldSize(clusterLen);
  if (b.createdAt !== null) size += messageFieldSize(timestampSize(b.createdAt));
  if (b.startedAt !== null) size += messageFieldSize(timestampSize(b.startedAt));
  for (const len of shardLens) size += stringFieldSize(len, true);
  if (b.type !== 0) size += 1 + varintSize(b.type);
  return { backup: b, size, idLen, folderLen, clusterLen, shardLens };
}

function writeTimestamp(w: ProtoWriter, field: number, ts: Timestamp): void {
  w.tag(field, 2);
  w.varint(timestampSize(ts));
  if (ts.seconds !== 0) {
    w.tag(1, 0);
    w.varint(ts.seconds);
  }
  if (ts.nanos !== 0) {
    w.tag(2, 0);
    w.varint(ts.nanos);
  }
}

function writeBackup(w: ProtoWriter, s: Sized): void {
  const b = s.backup;
  if (s.idLen > 0) {
    w.tag(1, 2);
    w.string(b.id, s.idLen);
  }
  if (s.folderLen > 0) {
    w.tag(2, 2);
    w.string(b.folderId, s.folderLen);
  }
  if (b.createdAt !== null) writeTimestamp(w, 3, b.createdAt);
  if (s.clusterLen > 0) {
    w.tag(4, 2);
    w.string(b.sourceClusterId, s.clusterLen);
  }
  if (b.startedAt !== null) writeTimestamp(w, 5, b.startedAt);
  b.sourceShardNames.forEach((name, i) => {
    w.tag(6, 2);
    w.string(name, s.shardLens[i] ?? 0);
  });
  if (b.type !== 0) {
    w.tag(7, 0);
    w.varint(b.type);
  }
}

/** The `Backup` message bytes of a backup. */
export function encodeBackup(b: Backup): Buffer {
  const s = sizeBackup(b);
  const w = new ProtoWriter(Buffer.allocUnsafe(s.size));
  writeBackup(w, s);
  return w.buf;
}

/** The `ListBackupsResponse` bytes of a page: its backups, then `next_page_token` unless empty. */
export function encodeListResponse(backups: readonly Backup[], nextPageToken: string): Buffer {
  const sized = backups.map(sizeBackup);
  const tokenLen = Buffer.byteLength(nextPageToken, 'utf8');
  let total = stringFieldSize(tokenLen);
  for (const s of sized) total += messageFieldSize(s.size);
  const w = new ProtoWriter(Buffer.allocUnsafe(total));
  for (const s of sized) {
    w.tag(1, 2);
    w.varint(s.size);
    writeBackup(w, s);
  }
  if (tokenLen > 0) {
    w.tag(2, 2);
    w.string(nextPageToken, tokenLen);
  }
  return w.buf;
}
