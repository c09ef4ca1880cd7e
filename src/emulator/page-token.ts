import { hashString } from './hash.js';

/**
 * The emulator's opaque List page token: the last id served (keyset position), the
 * index of the page the token leads to, and a fingerprint of the folder it belongs to,
 * under a checksum so that arbitrary strings do not decode. Binary then base64url, so a
 * cloud-shaped id (36 chars) gives a 66-character token, within the 100-character limit.
 */
export interface PageCursor {
  /** Index of the page this token requests (the first page, with no token, is 0). */
  readonly pageIndex: number;
  /** List resumes after this backup id ('' = from the start). */
  readonly lastId: string;
}

const version = 1;
/** checksum(4) version(1) folder fingerprint(4) page index(4), then the id in UTF-8. */
const headerBytes = 13;

/** The token for a cursor in a folder. */
export function encodePageToken(folderId: string, cursor: PageCursor): string {
  const id = Buffer.from(cursor.lastId, 'utf8');
  const buf = Buffer.alloc(headerBytes + id.length);
  buf.writeUInt8(version, 4);
  buf.writeUInt32BE(fingerprint(folderId), 5);
  buf.writeUInt32BE(cursor.pageIndex >>> 0, 9);
  id.copy(buf, headerBytes);
  buf.writeUInt32BE(checksum(buf.subarray(4)), 0);
  return buf.toString('base64url');
}

/** Why a token was refused: it does not decode, or it was issued for another folder. */
export type PageTokenProblem = 'invalid' | 'foreign-folder';

/** The cursor inside a token, or the problem with it. */
export function decodePageToken(
  folderId: string,
  token: string,
): { ok: true; cursor: PageCursor } | { ok: false; problem: PageTokenProblem } {
  const invalid = { ok: false, problem: 'invalid' } as const;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return invalid;
  const buf = Buffer.from(token, 'base64url');
  // Reject non-canonical encodings too, so one cursor has exactly one token.
  if (buf.length < headerBytes || buf.toString('base64url') !== token) return invalid;
  if (buf.readUInt32BE(0) !== checksum(buf.subarray(4)) || buf.readUInt8(4) !== version) return invalid;
  const lastId = buf.subarray(headerBytes).toString('utf8');
  if (Buffer.from(lastId, 'utf8').length !== buf.length - headerBytes) return invalid;
  if (buf.readUInt32BE(5) !== fingerprint(folderId)) return { ok: false, problem: 'foreign-folder' };
  return { ok: true, cursor: { pageIndex: buf.readUInt32BE(9), lastId } };
}

function fingerprint(folderId: string): number {
  return hashString(0x70616765, folderId);
}

function checksum(bytes: Buffer): number {
  return hashString(0x746f6b6e, bytes.toString('latin1'));
}
