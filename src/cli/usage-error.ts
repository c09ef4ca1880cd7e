/** A command line the CLI cannot act on (unknown flag, missing value); exits 2 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
