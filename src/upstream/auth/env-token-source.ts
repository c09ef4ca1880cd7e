import { AuthError } from './auth-error.js';
import type { FetchedToken, TokenSource } from './token-source.js';

/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a value from an environment variable on every call, trimmed. Throws an
 * {@link AuthError} naming the variable (never its value) when it is unset or blank.
 */
export function readEnvSecret(env: Env, variable: string): string {
  const value = env[variable]?.trim() ?? '';
  if (value === '') {
    throw new AuthError(`environment variable ${variable} is not set or empty`, false);
  }
  return value;
}

/**
 * An IAM token given directly in an environment variable (e.g. from `yc iam create-token`);
 * the operator is responsible for renewing it, so its expiry is unknown to the mirror.
 */
export class EnvTokenSource implements TokenSource {
  readonly description: string;

  constructor(
    private readonly env: Env,
    private readonly variable: string,
  ) {
    this.description = `env var ${variable}`;
  }

  fetch(signal: AbortSignal): Promise<FetchedToken> {
    try {
      signal.throwIfAborted();
      return Promise.resolve({ token: readEnvSecret(this.env, this.variable), expiresAt: null });
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
