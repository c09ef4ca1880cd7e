/**
 * A failure to obtain an IAM token. The message names the source (a variable, file,
 * endpoint or URL) and never contains a token, key or JWT.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  /**
   * @param retryable true when trying again later may succeed (network trouble, a
   *   server that is down); false for configuration mistakes (missing variable, bad key).
   */
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
