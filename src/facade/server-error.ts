import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log/logger.js';

/**
 * A refusal meant for the client: a gRPC status code and a message that names the bad
 * field or input. Anything else thrown inside a handler is a bug or an outage and is
 * reported to the client only as a generic INTERNAL (see {@link toServiceError}).
 */
export class ServerError extends Error {
  override readonly name = 'ServerError';

  constructor(
    readonly code: grpc.status,
    message: string,
    /** Trailing metadata sent with the status (e.g. `x-mirror-synced-at`). */
    readonly metadata?: grpc.Metadata,
  ) {
    super(message);
  }
}

/** What clients see for a failure the facade did not anticipate. */
export const internalMessage = 'internal error in the backup mirror; the server log has the details';

/**
 * The status to send for `err`: a {@link ServerError} as it is; anything else as INTERNAL
 * with a generic message, its details logged (never sent: they may name files or SQL).
 */
export function toServiceError(err: unknown, method: string, logger: Logger, metadata?: grpc.Metadata): Partial<grpc.StatusObject> {
  if (err instanceof ServerError) {
    const md = err.metadata ?? metadata;
    return { code: err.code, details: err.message, ...(md === undefined ? {} : { metadata: md.clone() }) };
  }
  logger.error('facade: request failed', { method, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
  return { code: grpc.status.INTERNAL, details: internalMessage };
}
