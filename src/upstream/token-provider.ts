/** Where the upstream client gets the bearer token for each call. */
export interface TokenProvider {
  /** The current IAM token, or null to send no authorization (the emulator without a token). */
  get(signal: AbortSignal): Promise<string | null>;
  /** Forget the cached token: the cloud said UNAUTHENTICATED. */
  invalidate(): void;
  /** Stop background work (file watches, timers). */
  close(): void;
}

/** A provider that always sends the same token, or none when `token` is null. */
export function staticTokenProvider(token: string | null): TokenProvider {
  return { get: () => Promise.resolve(token), invalidate: () => undefined, close: () => undefined };
}
