import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';

/** How the emulator authenticates calls: a fixed token, a predicate, or nothing. */
export interface AuthOptions {
  /** The one IAM token accepted. */
  readonly token?: string;
  /** Accepts a token when it returns true (lets tests rotate tokens); wins over `token`. */
  readonly acceptToken?: (token: string) => boolean;
}

/** The message the cloud sends with UNAUTHENTICATED. */
export const unauthenticatedMessage = 'Token is invalid or has expired';

/**
 * A check of a call's `authorization: Bearer <token>` metadata, or undefined when auth
 * is not configured (every call is accepted).
 */
export function authCheck(options: AuthOptions): ((metadata: Metadata) => boolean) | undefined {
  const { token, acceptToken } = options;
  let accept: ((t: string) => boolean) | undefined = acceptToken;
  if (accept === undefined && token !== undefined) {
    const expected = digest(token);
    accept = (t) => timingSafeEqual(digest(t), expected);
  }
  if (accept === undefined) return undefined;
  const check = accept;
  return (metadata) => {
    const values = metadata.get('authorization');
    if (values.length !== 1) return false;
    const m = /^Bearer (\S+)$/.exec(String(values[0]));
    return m?.[1] !== undefined && check(m[1]);
  };
}

// Hashing first gives equal-length buffers, so the comparison does not leak the length.
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
