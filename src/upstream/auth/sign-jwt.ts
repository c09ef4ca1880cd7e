import { constants, sign, type KeyObject } from 'node:crypto';

/** The audience the cloud's IAM token exchange expects in service-account JWTs. */
export const iamTokenAudience = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';

/** The longest JWT lifetime the cloud accepts (`exp - iat`), in seconds. */
export const maxJwtLifetimeSeconds = 3600;

export interface JwtInput {
  /** Authorized key id, put in the header as `kid`. */
  readonly keyId: string;
  /** Service account id, put in the claims as `iss`. */
  readonly serviceAccountId: string;
  /** RSA private key to sign with. */
  readonly privateKey: KeyObject;
  /** Signing time in milliseconds since the epoch; `iat` is its whole seconds. */
  readonly nowMs: number;
  /** `exp - iat` in seconds; default and maximum 3600. */
  readonly lifetimeSeconds?: number;
  /** `aud` claim; default {@link iamTokenAudience}. */
  readonly audience?: string;
}

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * A compact JWS signed with PS256 (RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length 32 =
 * the hash length, as the cloud's examples use; Node's default would be the maximum salt).
 * Header `{typ:'JWT', alg:'PS256', kid}`, claims `{iss, aud, iat, exp}`.
 * Pure apart from PSS's random salt. The result is a secret.
 */
export function signJwt(input: JwtInput): string {
  const lifetime = Math.min(input.lifetimeSeconds ?? maxJwtLifetimeSeconds, maxJwtLifetimeSeconds);
  if (!(lifetime > 0)) throw new RangeError(`JWT lifetimeSeconds must be > 0, got ${lifetime}`);
  const iat = Math.floor(input.nowMs / 1000);
  const header = { typ: 'JWT', alg: 'PS256', kid: input.keyId };
  const claims = {
    iss: input.serviceAccountId,
    aud: input.audience ?? iamTokenAudience,
    iat,
    exp: iat + Math.floor(lifetime),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: input.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return `${signingInput}.${base64url(signature)}`;
}
