/** A credential as a source hands it out. */
export interface FetchedToken {
  /** The IAM token itself (a secret: never log it). */
  readonly token: string;
  /** When the token stops working, in milliseconds since the epoch; null when unknown. */
  readonly expiresAt: number | null;
}

/**
 * One way of obtaining an IAM token (env var, file, service-account key, metadata
 * service, OAuth exchange). A source does no caching policy of its own: each fetch goes
 * to its origin; {@link TokenCache} decides when to fetch.
 */
export interface TokenSource {
  /**
   * Obtains a token. Rejects with an {@link AuthError} whose message says what went wrong
   * (naming the variable, file or status) and contains no secret; callers prefix it with
   * {@link description}. `signal` cancels the fetch; sources apply their own deadline.
   */
  fetch(signal: AbortSignal): Promise<FetchedToken>;
  /** Human-readable origin of the token for logs and errors, e.g. `env var YC_TOKEN`; no secret. */
  readonly description: string;
}
