import { readFileSync } from 'node:fs';
import { AuthError } from './auth-error.js';
import { EnvTokenSource, type Env } from './env-token-source.js';
import { FileTokenSource } from './file-token-source.js';
import { IamTokenClient } from './iam-token-client.js';
import { MetadataTokenSource } from './metadata-token-source.js';
import { OAuthTokenSource } from './oauth-token-source.js';
import { ServiceAccountKeySource } from './service-account-key-source.js';
import { StaticTokenSource } from './static-token-source.js';
import { TokenCache, type TokenCacheOptions } from './token-cache.js';
import type { TokenSource } from './token-source.js';

/** How the mirror authenticates to the cloud; mirrors the config module's `auth` section. */
export type AuthInput =
  | { readonly kind: 'none' }
  | { readonly kind: 'iam-token'; readonly tokenEnv: string | null; readonly tokenFile: string | null }
  | { readonly kind: 'service-account-key'; readonly keyFile: string; readonly iamEndpoint: string }
  | { readonly kind: 'metadata'; readonly metadataUrl: string }
  | { readonly kind: 'oauth'; readonly tokenEnv: string; readonly iamEndpoint: string }
  /** A literal token that never changes (the built-in emulator's). */
  | { readonly kind: 'static'; readonly token: string };

export interface TokenProviderDeps {
  /** Use TLS towards the IAM endpoint (and trust `caFile` on top of the system roots). */
  readonly tls: boolean;
  /** PEM file of extra trusted CAs, read once at creation; null for the system roots. */
  readonly caFile: string | null;
  /** Deadline of one token request (IAM exchange, metadata GET), in milliseconds. */
  readonly timeoutMs: number;
  /** Environment to read token variables from (usually `process.env`). */
  readonly env: Env;
  /** Clock in milliseconds since the epoch; default `Date.now`. */
  readonly now?: () => number;
  /** Receives warnings (e.g. OAuth deprecation); default writes to stderr. */
  readonly warn?: (message: string) => void;
  /** Cache tuning and test seams (sleep, random, refresh windows). */
  readonly cache?: Omit<TokenCacheOptions, 'now'>;
}

/** What the upstream client uses to authorize calls. */
export interface TokenProvider {
  /** The IAM token for `authorization: Bearer …`, or null when auth is `none`. */
  get(signal: AbortSignal): Promise<string | null>;
  /**
   * Forces the next get() to fetch a new token. Call it when the cloud answers
   * UNAUTHENTICATED, then retry once. With `token`, acts only if that token is still cached.
   */
  invalidate(token?: string): void;
  /** Cancels refreshes and closes the IAM channel. */
  close(): void;
  /** Where tokens come from, for logs (no secret); `none` for no auth. */
  readonly description: string;
}

function readCa(caFile: string | null): Buffer | null {
  if (caFile === null) return null;
  try {
    return readFileSync(caFile);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new AuthError(`caFile ${caFile}: cannot read the file (${code})`, false);
  }
}

function defaultWarn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

interface Built {
  readonly source: TokenSource;
  /** The IAM channel the source uses, closed with the provider. */
  readonly iam: IamTokenClient | null;
  readonly refreshAfterMs?: number;
}

function buildSource(auth: Exclude<AuthInput, { kind: 'none' }>, deps: TokenProviderDeps, now: () => number): Built {
  const iamAt = (endpoint: string): IamTokenClient =>
    new IamTokenClient({ endpoint, tls: deps.tls, caPem: readCa(deps.caFile), timeoutMs: deps.timeoutMs });
  switch (auth.kind) {
    case 'static':
      return { source: new StaticTokenSource(auth.token), iam: null };
    case 'iam-token':
      if (auth.tokenEnv !== null && auth.tokenFile === null) {
        return { source: new EnvTokenSource(deps.env, auth.tokenEnv), iam: null };
      }
      if (auth.tokenFile !== null && auth.tokenEnv === null) {
        // Checking the file on every get() makes a renewed file take effect on the next call.
        return { source: new FileTokenSource(auth.tokenFile), iam: null, refreshAfterMs: 0 };
      }
      throw new AuthError('auth iam-token: set exactly one of tokenEnv and tokenFile', false);
    case 'service-account-key': {
      const iam = iamAt(auth.iamEndpoint);
      return { source: new ServiceAccountKeySource(auth.keyFile, iam, now), iam };
    }
    case 'metadata':
      return {
        source: new MetadataTokenSource(auth.metadataUrl, { timeoutMs: deps.timeoutMs, now, caPem: readCa(deps.caFile) }),
        iam: null,
      };
    case 'oauth': {
      const iam = iamAt(auth.iamEndpoint);
      return { source: new OAuthTokenSource(deps.env, auth.tokenEnv, iam, deps.warn ?? defaultWarn), iam };
    }
  }
}

/**
 * Builds the token provider for an auth config. Throws an {@link AuthError} on a config
 * mistake it can see up front (both or neither of tokenEnv/tokenFile, unreadable caFile,
 * bad metadataUrl); problems with the credential itself surface from get().
 * A token file is checked on every get(); all other sources refresh hourly and ahead of
 * expiry (see {@link TokenCache}).
 */
export function createTokenProvider(auth: AuthInput, deps: TokenProviderDeps): TokenProvider {
  if (auth.kind === 'none') {
    return { get: () => Promise.resolve(null), invalidate: () => undefined, close: () => undefined, description: 'none' };
  }
  const now = deps.now ?? Date.now;
  const { source, iam, refreshAfterMs } = buildSource(auth, deps, now);
  const cache = new TokenCache(source, {
    ...deps.cache,
    now,
    ...(refreshAfterMs !== undefined ? { refreshAfterMs } : {}),
  });
  return {
    get: (signal) => cache.get(signal),
    invalidate: (token) => cache.invalidate(token),
    close: () => {
      cache.close();
      iam?.close();
    },
    description: source.description,
  };
}
