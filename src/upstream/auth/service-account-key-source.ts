import { readFile } from 'node:fs/promises';
import { AuthError } from './auth-error.js';
import { parseAuthorizedKey } from './authorized-key.js';
import type { IamTokenClient } from './iam-token-client.js';
import { signJwt } from './sign-jwt.js';
import type { FetchedToken, TokenSource } from './token-source.js';

/**
 * IAM tokens for a service account: sign a short-lived PS256 JWT with the account's
 * authorized key and exchange it at `IamTokenService/Create`. The key file is read on
 * every fetch (about hourly), so a rotated key is picked up without a restart.
 */
export class ServiceAccountKeySource implements TokenSource {
  readonly description: string;

  /**
   * @param keyFile path of the authorized-key JSON.
   * @param iam client of the IAM endpoint (owned by the caller, who closes it).
   * @param now clock for the JWT's `iat`, in milliseconds since the epoch.
   */
  constructor(
    private readonly keyFile: string,
    private readonly iam: IamTokenClient,
    private readonly now: () => number,
  ) {
    this.description = `service account key ${keyFile} via IAM ${iam.endpoint}`;
  }

  async fetch(signal: AbortSignal): Promise<FetchedToken> {
    let text: string;
    try {
      text = await readFile(this.keyFile, { encoding: 'utf8', signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const code = (err as NodeJS.ErrnoException).code ?? 'read error';
      throw new AuthError(`cannot read key file ${this.keyFile} (${code})`, false);
    }
    const key = parseAuthorizedKey(text, `key file ${this.keyFile}`);
    const jwt = signJwt({
      keyId: key.keyId,
      serviceAccountId: key.serviceAccountId,
      privateKey: key.privateKey,
      nowMs: this.now(),
    });
    return this.iam.create({ jwt }, signal);
  }
}
