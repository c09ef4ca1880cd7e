import { readEnvSecret, type Env } from './env-token-source.js';
import type { IamTokenClient } from './iam-token-client.js';
import type { FetchedToken, TokenSource } from './token-source.js';

/** The warning logged when an OAuth source is created. */
export const oauthDeprecationWarning =
  'auth kind "oauth" is deprecated: Yandex Cloud retires OAuth tokens at the end of 2026; ' +
  'switch to "service-account-key" or "metadata"';

/**
 * IAM tokens for a Yandex account: the OAuth token from an environment variable is
 * exchanged at `IamTokenService/Create` (field `yandex_passport_oauth_token`). The
 * variable is read on every fetch. Creating the source logs a deprecation warning.
 */
export class OAuthTokenSource implements TokenSource {
  readonly description: string;

  /**
   * @param iam client of the IAM endpoint (owned by the caller, who closes it).
   * @param warn receives the deprecation warning once, at construction.
   */
  constructor(
    private readonly env: Env,
    private readonly variable: string,
    private readonly iam: IamTokenClient,
    warn: (message: string) => void,
  ) {
    this.description = `OAuth token in env var ${variable} via IAM ${iam.endpoint}`;
    warn(oauthDeprecationWarning);
  }

  fetch(signal: AbortSignal): Promise<FetchedToken> {
    try {
      signal.throwIfAborted();
      const oauth = readEnvSecret(this.env, this.variable);
      return this.iam.create({ yandex_passport_oauth_token: oauth }, signal);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
