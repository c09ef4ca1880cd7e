import * as grpc from '@grpc/grpc-js';
import { isRetryable } from '../is-retryable.js';
import { loadProto, lookup, type WireTimestamp } from '../proto.js';
import { AuthError } from './auth-error.js';
import { redactSecrets } from './redact.js';
import type { FetchedToken } from './token-source.js';

/** The identity given to `IamTokenService/Create` (the request's `identity` oneof). */
export type IamIdentity = { readonly jwt: string } | { readonly yandex_passport_oauth_token: string };

interface WireCreateIamTokenResponse {
  iam_token: string;
  expires_at: WireTimestamp | null;
}

export interface IamTokenClientOptions {
  /** `host:port` of the IAM API, e.g. `iam.api.cloud.yandex.net:443`. */
  readonly endpoint: string;
  /** true: TLS (system roots unless `caPem`); false: plaintext (tests, local proxies). */
  readonly tls: boolean;
  /** Extra trusted CA certificates (PEM) for TLS; null for the system roots. */
  readonly caPem: Buffer | null;
  /** Deadline of one Create call, in milliseconds. */
  readonly timeoutMs: number;
}

/** The `yandex.cloud.iam.v1.IamTokenService` grpc-js constructor. */
export function iamTokenServiceClientConstructor(): grpc.ServiceClientConstructor {
  return lookup(loadProto('yandex/cloud/iam/v1/iam_token_service.proto'), 'yandex.cloud.iam.v1.IamTokenService');
}

function timestampToMillis(ts: WireTimestamp | null): number | null {
  if (ts === null) return null;
  const seconds = Number(ts.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return seconds * 1000 + Math.floor(ts.nanos / 1e6);
}

/**
 * Exchanges a JWT or OAuth token for an IAM token at `IamTokenService/Create`.
 * Server errors are reported as status name plus redacted details, never verbatim.
 */
export class IamTokenClient {
  private readonly client: grpc.Client;
  private readonly method: grpc.MethodDefinition<object, object>;

  constructor(private readonly options: IamTokenClientOptions) {
    const ctor = iamTokenServiceClientConstructor();
    const method = ctor.service['Create'];
    if (method === undefined) throw new Error('IamTokenService.Create is missing from the loaded proto');
    this.method = method;
    const credentials = options.tls
      ? grpc.credentials.createSsl(options.caPem ?? undefined)
      : grpc.credentials.createInsecure();
    this.client = new grpc.Client(options.endpoint, credentials);
  }

  /** Where tokens come from, for descriptions and errors. */
  get endpoint(): string {
    return this.options.endpoint;
  }

  /** One Create call with the configured deadline; `signal` cancels it. */
  create(identity: IamIdentity, signal: AbortSignal): Promise<FetchedToken> {
    return new Promise<FetchedToken>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const where = 'IamTokenService.Create';
      const onAbort = (): void => call.cancel();
      const call = this.client.makeUnaryRequest<IamIdentity, WireCreateIamTokenResponse>(
        this.method.path,
        (value) => this.method.requestSerialize(value),
        (bytes) => this.method.responseDeserialize(bytes) as WireCreateIamTokenResponse,
        identity,
        new grpc.Metadata(),
        { deadline: Date.now() + this.options.timeoutMs },
        (err, response) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) {
            reject(signal.reason);
          } else if (err !== null) {
            const name = grpc.status[err.code] ?? String(err.code);
            const details = redactSecrets(err.details ?? '');
            const suffix = details === '' ? '' : `: ${details}`;
            reject(new AuthError(`${where} failed with ${name}${suffix}`, isRetryable(err.code)));
          } else if (response === undefined || response.iam_token === '') {
            reject(new AuthError(`${where} returned no iam_token`, true));
          } else {
            resolve({ token: response.iam_token, expiresAt: timestampToMillis(response.expires_at) });
          }
        },
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes the channel; later calls fail. */
  close(): void {
    this.client.close();
  }
}
