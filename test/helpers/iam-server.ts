import { constants, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { iamTokenServiceClientConstructor } from '../../src/upstream/auth/iam-token-client.js';

/** The audience the cloud requires in service-account JWTs. */
export const iamAudience = 'https://iam.api.cloud.yandex.net/iam/v1/tokens';

/** A fake clock shared by a client and the fake servers; sleep() advances it at once. */
export class FakeClock {
  /** Milliseconds since the epoch. */
  t = Date.UTC(2026, 2, 1);
  now = (): number => this.t;
  sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.t += ms;
    return Promise.resolve();
  };
}

/** A service account with a throwaway RSA key, as `yc iam key create` would describe it. */
export interface TestServiceAccount {
  readonly keyId: string;
  readonly serviceAccountId: string;
  readonly publicKey: KeyObject;
  /** PKCS#8 PEM of the private key (a secret). */
  readonly privatePem: string;
  /** The base64 lines of the PEM body: none may ever appear in output. */
  readonly pemBodyLines: readonly string[];
}

/** A fresh 2048-bit RSA service-account key. */
export function makeServiceAccount(keyId = 'ajekeyid0000000000', serviceAccountId = 'ajesaid00000000000'): TestServiceAccount {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pemBodyLines = privatePem.split('\n').filter((line) => line.length > 0 && !line.startsWith('-----'));
  return { keyId, serviceAccountId, publicKey: keys.publicKey, privatePem, pemBodyLines };
}

/** Writes an authorized-key JSON file like the cloud's, with `privatePem` (default the account's own). */
export function writeAuthorizedKey(file: string, account: TestServiceAccount, privatePem = account.privatePem): void {
  const doc = {
    id: account.keyId,
    service_account_id: account.serviceAccountId,
    created_at: '2026-01-01T00:00:00Z',
    key_algorithm: 'RSA_2048',
    public_key: '...',
    private_key: `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <${account.keyId}>\n${privatePem}`,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2));
}

interface WireCreateRequest {
  identity?: string;
  jwt?: string;
  yandex_passport_oauth_token?: string;
}
interface WireCreateResponse {
  iam_token: string;
  expires_at: { seconds: number; nanos: number };
}

/** An injected failure of `Create`; `details` may be built from the identity received (to echo secrets). */
export interface IamFailure {
  readonly code: grpc.status;
  readonly details: string | ((identity: string) => string);
  /** Fail this many calls, then answer normally again (default: until cleared). */
  readonly times?: number;
}

export interface IamServerOptions {
  /** The service account whose JWTs are accepted (signature, kid, iss). */
  readonly account: TestServiceAccount;
  /** Clock for expiry and JWT checks, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Lifetime of issued IAM tokens, ms (default 45 minutes). */
  readonly lifetimeMs?: number;
  /** OAuth tokens `Create` accepts (default none). */
  readonly oauthTokens?: readonly string[];
  /** Server credentials (default plaintext). */
  readonly credentials?: grpc.ServerCredentials;
}

/**
 * A real grpc-js `yandex.cloud.iam.v1.IamTokenService` on 127.0.0.1 that verifies JWTs like
 * the cloud does (PS256 with salt 32 against the account's public key, kid, iss, aud,
 * exp - iat <= 3600, not expired) and issues random tokens that expire after `lifetimeMs`.
 */
export class IamServer {
  /** `127.0.0.1:port`. */
  address = '';
  /** Create calls received, including failed ones. */
  calls = 0;
  lifetimeMs: number;
  /** While set, Create answers with this error. */
  failing: IamFailure | null = null;
  /** Reasons for refusing a JWT or OAuth token; stays empty while the client is right. */
  readonly rejections: string[] = [];
  readonly jwts: string[] = [];
  readonly oauthSeen: string[] = [];
  /** Every token issued, with its expiry (ms on the server's clock). */
  readonly issued = new Map<string, number>();
  /** The most recently issued token, or null. */
  lastIssued: string | null = null;
  private failedCalls = 0;
  private readonly now: () => number;
  private readonly server = new grpc.Server();

  private constructor(private readonly options: IamServerOptions) {
    this.now = options.now ?? Date.now;
    this.lifetimeMs = options.lifetimeMs ?? 45 * 60_000;
    const impl: grpc.UntypedServiceImplementation = {
      Create: (call: grpc.ServerUnaryCall<WireCreateRequest, WireCreateResponse>, done: grpc.sendUnaryData<WireCreateResponse>) =>
        this.create(call.request, done),
    };
    this.server.addService(iamTokenServiceClientConstructor().service, impl);
  }

  /** Starts a server on 127.0.0.1 (any free port). */
  static async start(options: IamServerOptions): Promise<IamServer> {
    const iam = new IamServer(options);
    const port = await new Promise<number>((resolve, reject) => {
      iam.server.bindAsync('127.0.0.1:0', options.credentials ?? grpc.ServerCredentials.createInsecure(), (err, p) =>
        err === null ? resolve(p) : reject(err),
      );
    });
    iam.address = `127.0.0.1:${port}`;
    return iam;
  }

  /** Starts failing Create calls (see {@link IamFailure}). */
  fail(failure: IamFailure): void {
    this.failing = failure;
    this.failedCalls = 0;
  }

  stop(): void {
    this.server.forceShutdown();
  }

  /** True when `token` was issued here and has not expired on the server's clock. */
  accepts(token: string): boolean {
    const expiresAt = this.issued.get(token);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  /** Every secret this server has seen or issued: tokens, JWTs and their signatures, OAuth tokens. */
  secrets(): string[] {
    return [...this.issued.keys(), ...this.jwts, ...this.jwts.map((j) => j.split('.')[2] ?? ''), ...this.oauthSeen].filter((s) => s !== '');
  }

  private create(request: WireCreateRequest, done: grpc.sendUnaryData<WireCreateResponse>): void {
    this.calls += 1;
    const identity = request.identity === 'jwt' ? (request.jwt ?? '') : (request.yandex_passport_oauth_token ?? '');
    if (request.identity === 'jwt') this.jwts.push(identity);
    else this.oauthSeen.push(identity);
    const failure = this.failing;
    if (failure !== null) {
      this.failedCalls += 1;
      if (failure.times !== undefined && this.failedCalls >= failure.times) this.failing = null;
      done({ code: failure.code, details: typeof failure.details === 'string' ? failure.details : failure.details(identity) });
      return;
    }
    const problem =
      request.identity === 'jwt' ? this.checkJwt(identity) : (this.options.oauthTokens ?? []).includes(identity) ? null : 'unknown OAuth token';
    if (problem !== null) {
      this.rejections.push(problem);
      // Echoes the identity, as a careless server might: the client must not repeat it.
      done({ code: grpc.status.UNAUTHENTICATED, details: `${problem}: ${identity}` });
      return;
    }
    const token = `t1.${randomBytes(48).toString('base64url')}`;
    const expiresAt = this.now() + this.lifetimeMs;
    this.issued.set(token, expiresAt);
    this.lastIssued = token;
    done(null, { iam_token: token, expires_at: { seconds: Math.floor(expiresAt / 1000), nanos: (expiresAt % 1000) * 1e6 } });
  }

  private checkJwt(jwt: string): string | null {
    const { account } = this.options;
    const [h, c, s] = jwt.split('.');
    if (h === undefined || c === undefined || s === undefined) return 'malformed JWT';
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return 'malformed JWT';
    }
    const signature = Buffer.from(s, 'base64url');
    const key = { key: account.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    if (!verify('sha256', Buffer.from(`${h}.${c}`), key, signature)) return 'bad signature';
    if (header['alg'] !== 'PS256' || header['typ'] !== 'JWT') return 'bad header';
    if (header['kid'] !== account.keyId) return 'unknown kid';
    if (claims['iss'] !== account.serviceAccountId) return 'bad iss';
    if (claims['aud'] !== iamAudience) return 'bad aud';
    const iat = Number(claims['iat']);
    const exp = Number(claims['exp']);
    const nowSec = this.now() / 1000;
    if (!(exp - iat <= 3600)) return 'JWT lives longer than an hour';
    if (!(exp > nowSec)) return 'JWT expired';
    if (!(iat <= nowSec + 60)) return 'JWT issued in the future';
    return null;
  }
}
