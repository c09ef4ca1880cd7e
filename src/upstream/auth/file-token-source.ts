import { readFile } from 'node:fs/promises';
import { AuthError } from './auth-error.js';
import type { FetchedToken, TokenSource } from './token-source.js';

/**
 * An IAM token kept in a file that something else renews (a sidecar, a cron job running
 * `yc iam create-token`). The file is read afresh on every fetch, so a change is seen at
 * the next fetch; surrounding whitespace (a trailing newline) is trimmed.
 * The expiry is unknown to the mirror.
 */
export class FileTokenSource implements TokenSource {
  readonly description: string;

  constructor(private readonly file: string) {
    this.description = `token file ${file}`;
  }

  async fetch(signal: AbortSignal): Promise<FetchedToken> {
    let text: string;
    try {
      text = await readFile(this.file, { encoding: 'utf8', signal });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // The errno code (ENOENT, EACCES) says enough.
      const code = (err as NodeJS.ErrnoException).code ?? 'read error';
      throw new AuthError(`cannot read ${this.file} (${code})`, true);
    }
    const token = text.trim();
    if (token === '') throw new AuthError(`${this.file} is empty`, true);
    return { token, expiresAt: null };
  }
}
