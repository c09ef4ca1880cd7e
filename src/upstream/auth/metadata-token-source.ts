import http from 'node:http';
import https from 'node:https';
import { AuthError } from './auth-error.js';
import type { FetchedToken, TokenSource } from './token-source.js';

/** Largest metadata answer read, in bytes; a token document is a few kilobytes. */
const maxBodyBytes = 64 * 1024;

export interface MetadataTokenSourceOptions {
  /** Deadline of one request, in milliseconds. */
  readonly timeoutMs: number;
  /** Clock turning `expires_in` into an absolute expiry, in milliseconds since the epoch. */
  readonly now: () => number;
  /** Extra trusted CA certificates (PEM) for an https URL; null for the system roots. */
  readonly caPem?: Buffer | null;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * IAM tokens of the service account attached to the VM, from the instance metadata
 * service (`GET …/service-accounts/default/token`, header `Metadata-Flavor: Google`,
 * answer `{access_token, expires_in, token_type}`). Every fetch asks the service again;
 * the official SDK's failure (one refresh, then stale after 12 hours) comes from caching
 * here, so this source never caches.
 */
export class MetadataTokenSource implements TokenSource {
  readonly description: string;
  private readonly url: URL;

  /** @param url the token URL; http or https. Throws naming `metadataUrl` when it is not a URL. */
  constructor(
    url: string,
    private readonly options: MetadataTokenSourceOptions,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AuthError(`metadataUrl is not a valid URL`, false);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new AuthError(`metadataUrl must be http or https, got ${parsed.protocol}`, false);
    }
    this.url = parsed;
    // Origin + path only: a URL's user info or query could carry something private.
    this.description = `metadata service ${parsed.origin}${parsed.pathname}`;
  }

  async fetch(signal: AbortSignal): Promise<FetchedToken> {
    const startedAt = this.options.now();
    const answer = await this.get(signal);
    if (answer.status !== 200) {
      const retryable = answer.status >= 500 || answer.status === 429;
      throw new AuthError(`answered HTTP ${answer.status}`, retryable);
    }
    return this.parse(answer.body, startedAt);
  }

  private parse(body: string, startedAt: number): FetchedToken {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      throw new AuthError('answered with invalid JSON', true);
    }
    const record = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
    const token = record['access_token'];
    const expiresIn = record['expires_in'];
    const tokenType = record['token_type'];
    if (typeof token !== 'string' || token.trim() === '') {
      throw new AuthError('answer has no "access_token"', true);
    }
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
      throw new AuthError('answer has no valid "expires_in" (seconds)', true);
    }
    if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
      throw new AuthError('"token_type" is not Bearer', false);
    }
    // Counted from when the request started, so the expiry errs on the early side.
    return { token: token.trim(), expiresAt: startedAt + expiresIn * 1000 };
  }

  private get(signal: AbortSignal): Promise<HttpAnswer> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const fail = (err: unknown): void => {
        if (signal.aborted) reject(signal.reason);
        else if (timeout.aborted) {
          reject(new AuthError(`no answer within ${this.options.timeoutMs} ms`, true));
        } else {
          const code = (err as NodeJS.ErrnoException).code ?? 'network error';
          reject(new AuthError(`unreachable (${code})`, true));
        }
      };
      const request = transport.request(
        this.url,
        {
          method: 'GET',
          headers: { 'Metadata-Flavor': 'Google', Accept: 'application/json' },
          signal: combined,
          ...(this.options.caPem != null ? { ca: this.options.caPem } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBodyBytes) {
              response.destroy();
              reject(new AuthError(`answer is larger than ${maxBodyBytes} bytes`, true));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', fail);
          response.on('end', () => {
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      request.on('error', fail);
      request.end();
    });
  }
}
