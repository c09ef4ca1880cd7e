import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { maxPageTokenLength } from './request-rules.js';
import { ServerError } from './server-error.js';

const version = 1;
/** Bytes of HMAC-SHA256 kept: 80 bits, far beyond what online guessing can reach. */
const macBytes = 10;
/** Token bytes that fit in {@link maxPageTokenLength} base64url characters. */
const maxTokenBytes = Math.floor((maxPageTokenLength * 3) / 4);
/** The longest last id (UTF-8 bytes) a token can carry. Cloud ids are 36. */
export const maxTokenIdBytes = maxTokenBytes - 1 - macBytes;

/**
 * Opaque, tamper-evident keyset page tokens: `version | last id served | HMAC`, base64url.
 * The MAC covers the folder id too, so a token is only good for the folder it was issued
 * for, and any edited byte makes it invalid. Tokens stay valid across passes (keyset:
 * the next page starts after the last id served, whatever changed since) and across
 * restarts only when the same key is configured.
 */
export class PageTokenCodec {
  private readonly key: Buffer;

  /** @param key HMAC key; default 32 random bytes (tokens then die with the process). */
  constructor(key?: Buffer) {
    if (key !== undefined && key.length < 16) throw new RangeError(`pageTokenKey: must be at least 16 bytes, got ${key.length}`);
    this.key = key ?? randomBytes(32);
  }

  /**
   * The token that resumes a folder's listing after `lastId`.
   * @throws Error (a bug-class failure: the caller turns it into INTERNAL) if the id is too long for a token.
   */
  encode(folderId: string, lastId: string): string {
    const id = Buffer.from(lastId, 'utf8');
    if (id.length === 0 || id.length > maxTokenIdBytes) {
      throw new Error(`page token: backup id ${JSON.stringify(lastId)} is ${id.length} bytes; tokens carry 1..${maxTokenIdBytes}`);
    }
    const body = Buffer.alloc(1 + id.length);
    body.writeUInt8(version, 0);
    id.copy(body, 1);
    return Buffer.concat([body, this.mac(folderId, body)]).toString('base64url');
  }

  /**
   * The last id a token carries.
   * @throws ServerError INVALID_ARGUMENT naming page_token when it was not issued by this key for this folder.
   */
  decode(folderId: string, token: string): string {
    const bad = new ServerError(status.INVALID_ARGUMENT, 'page_token: invalid page token (not issued for this folder_id, corrupted, or from before a restart)');
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad;
    const raw = Buffer.from(token, 'base64url');
    // Non-canonical base64 would make two spellings of one token; refuse them.
    if (raw.length < 2 + macBytes || raw.toString('base64url') !== token) throw bad;
    const body = raw.subarray(0, raw.length - macBytes);
    if (!timingSafeEqual(raw.subarray(raw.length - macBytes), this.mac(folderId, body)) || body.readUInt8(0) !== version) throw bad;
    const idBytes = body.subarray(1);
    const lastId = idBytes.toString('utf8');
    if (Buffer.byteLength(lastId, 'utf8') !== idBytes.length) throw bad;
    return lastId;
  }

  private mac(folderId: string, body: Buffer): Buffer {
    return createHmac('sha256', this.key)
      .update('rbm-page-token\0')
      .update(folderId, 'utf8')
      .update('\0')
      .update(body)
      .digest()
      .subarray(0, macBytes);
  }
}
