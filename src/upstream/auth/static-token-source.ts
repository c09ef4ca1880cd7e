import type { FetchedToken, TokenSource } from './token-source.js';

/**
 * A fixed token of unknown expiry, given in code rather than configuration (the built-in
 * emulator's). The cache "refreshes" it hourly, which costs nothing.
 */
export class StaticTokenSource implements TokenSource {
  readonly description = 'static token';

  constructor(private readonly token: string) {}

  fetch(signal: AbortSignal): Promise<FetchedToken> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return Promise.resolve({ token: this.token, expiresAt: null });
  }
}
