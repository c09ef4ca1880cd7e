import { ListingError } from '../mirror/listing-error.js';
import type { BackupClient, BackupPage } from './backup-client.js';

/**
 * Pages through a folder's complete listing, one page in memory at a time.
 * A page token seen before means the cloud is looping: the listing fails rather than
 * spinning or silently truncating.
 * @throws ListingError on a token loop; UpstreamError when a page fails.
 */
export async function* listPages(
  client: Pick<BackupClient, 'listPage'>,
  folderId: string,
  pageSize: number,
  signal: AbortSignal,
): AsyncGenerator<BackupPage> {
  const seen = new Set<string>();
  let token = '';
  for (let page = 1; ; page++) {
    const result = await client.listPage(folderId, pageSize, token, signal);
    yield result;
    if (result.nextPageToken === '') return;
    if (seen.has(result.nextPageToken)) {
      throw new ListingError(`folder ${folderId}: page ${page} returned a page token already used, the listing loops`);
    }
    seen.add(result.nextPageToken);
    token = result.nextPageToken;
  }
}
