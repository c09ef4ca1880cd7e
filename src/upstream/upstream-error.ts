import { status } from '@grpc/grpc-js';

/** A failed call to the cloud, with the ids the cloud's support asks for. Never carries a token. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly method: string,
    readonly code: status,
    readonly details: string,
    readonly requestId: string,
    readonly serverTraceId: string | null,
    readonly hint: string | null = null,
  ) {
    super(
      `${method} failed with ${status[code] ?? code}: ${details}` +
        (hint === null ? '' : ` (${hint})`) +
        ` [x-request-id ${requestId}${serverTraceId === null ? '' : `, x-server-trace-id ${serverTraceId}`}]`,
    );
  }
}

/** What an operator should do about a non-retryable code, in words. */
export function hintFor(code: status, context: { folderId?: string | undefined; endpoint: string }): string | null {
  const folder = context.folderId === undefined ? 'the folder' : `folder ${context.folderId}`;
  switch (code) {
    case status.PERMISSION_DENIED:
      return `the service account lacks managed-redis.viewer on ${folder}, or the folder does not exist`;
    case status.UNAUTHENTICATED:
      return 'the IAM token was refused: check upstream.auth (an expired token, a revoked key, or the wrong cloud)';
    case status.NOT_FOUND:
      return `${folder} was not found at ${context.endpoint}: check the folder id in "folders"`;
    case status.INVALID_ARGUMENT:
      return `the cloud rejected the request for ${folder}: check the folder id in "folders" and upstream.page_size`;
    case status.UNIMPLEMENTED:
      return `${context.endpoint} does not serve yandex.cloud.mdb.redis.v1.BackupService: check upstream.endpoint`;
    default:
      return null;
  }
}
