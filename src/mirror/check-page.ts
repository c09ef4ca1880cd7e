import type { Backup } from './backup.js';
import { ListingError } from './listing-error.js';

/**
 * Checks one listed page of a folder. An item without an id, or from another folder,
 * means the listing cannot be trusted: a pass that went on would record wrong events.
 * @throws ListingError naming the page and the item.
 */
export function checkPage(folderId: string, pageIndex: number, backups: readonly Backup[]): void {
  backups.forEach((b, i) => {
    if (b.id === '') {
      throw new ListingError(`page ${pageIndex + 1} of folder ${folderId}: item ${i + 1} has an empty id`);
    }
    if (b.folderId !== folderId) {
      throw new ListingError(
        `page ${pageIndex + 1} of folder ${folderId}: backup ${b.id} has folder_id "${b.folderId}", not the folder listed`,
      );
    }
  });
}
