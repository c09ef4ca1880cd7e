import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { UpstreamError } from './upstream-error.js';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response?: Res) => void,
) => grpc.ClientUnaryCall;

/** One call's outcome as the metrics want it. */
export interface CallRecord {
  readonly method: string;
  /** The gRPC status code name, e.g. "OK", "UNAVAILABLE". */
  readonly code: string;
  readonly durationSeconds: number;
}

/**
 * Makes one unary call with a deadline, an `x-request-id` of our own, the bearer token,
 * and cancellation by `signal`. Failures become {@link UpstreamError} carrying our request
 * id and the cloud's `x-server-trace-id`; the token never appears in them.
 */
export function callUnary<Req, Res>(
  method: UnaryMethod<Req, Res>,
  name: string,
  request: Req,
  opts: { token: string | null; timeoutMs: number; signal: AbortSignal; onCall?: ((r: CallRecord) => void) | undefined },
): Promise<Res> {
  const requestId = randomUUID();
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', requestId);
  if (opts.token !== null) metadata.set('authorization', `Bearer ${opts.token}`);
  const started = process.hrtime.bigint();
  return new Promise<Res>((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const finish = (code: grpc.status): void => {
      opts.signal.removeEventListener('abort', onAbort);
      opts.onCall?.({ method: name, code: grpc.status[code] ?? String(code), durationSeconds: Number(process.hrtime.bigint() - started) / 1e9 });
    };
    const call = method(request, metadata, { deadline: Date.now() + opts.timeoutMs }, (err, response) => {
      if (err !== null) {
        finish(err.code);
        if (opts.signal.aborted) {
          reject(opts.signal.reason);
          return;
        }
        const trace = err.metadata?.get('x-server-trace-id')[0];
        const serverRequestId = err.metadata?.get('x-request-id')[0];
        reject(
          new UpstreamError(
            name,
            err.code,
            withoutToken(err.details || err.message, opts.token),
            typeof serverRequestId === 'string' ? serverRequestId : requestId,
            typeof trace === 'string' ? trace : null,
          ),
        );
        return;
      }
      finish(grpc.status.OK);
      if (response === undefined) reject(new UpstreamError(name, grpc.status.INTERNAL, 'empty response', requestId, null));
      else resolve(response);
    });
    const onAbort = (): void => call.cancel();
    opts.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The cloud (or a proxy) may echo the credential in its error text; it must not reach logs. */
function withoutToken(text: string, token: string | null): string {
  return token === null || token === '' ? text : text.split(token).join('[redacted]');
}
