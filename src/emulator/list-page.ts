import type { Backup } from '../mirror/backup.js';
import type { WireListBackupsResponse } from '../upstream/proto.js';
import { backupToWire } from '../upstream/backup-codec.js';
import type { Catalog } from './catalog.js';
import type { MalformedKind } from './fault-controller.js';
import { encodePageToken } from './page-token.js';
import type { ListPlan } from './request-validation.js';

/** Page-shape faults that fire on this page (already decided by the controller). */
export interface PageDistortion {
  /** Resume the next page one item early, so this page's last item repeats. */
  readonly duplicate?: boolean;
  /** Skip this many items between this page and the next. */
  readonly skip?: number;
  /** Next token to return instead of the real one (a token loop). */
  readonly loopToken?: string;
  /** Insert a malformed copy of the first item. */
  readonly malformed?: MalformedKind;
}

/**
 * One List page: up to pageSize backups with id > the cursor's last id, and the token
 * for the rest (empty when nothing follows). Looks one item ahead so that the last
 * page carries no token, as the cloud's does.
 */
export function composePage(
  catalog: Catalog,
  plan: ListPlan,
  distortion: PageDistortion = {},
  atMs?: number,
): WireListBackupsResponse {
  const skip = Math.max(0, distortion.skip ?? 0);
  const items = take(catalog.listAfter(plan.folderId, plan.cursor.lastId, atMs), plan.pageSize + skip + 1);
  const page = items.slice(0, plan.pageSize);

  // The next page resumes after item `resume` (an index into items), if anything follows it.
  let resume = items.length > plan.pageSize + skip ? plan.pageSize + skip - 1 : undefined;
  let resumeAfter = resume === undefined ? undefined : items[resume]?.id;
  if (distortion.duplicate === true && resume !== undefined) {
    resume -= 1;
    resumeAfter = resume >= 0 ? items[resume]?.id : plan.cursor.lastId;
  }
  let nextToken =
    resumeAfter === undefined
      ? ''
      : encodePageToken(plan.folderId, { pageIndex: plan.cursor.pageIndex + 1, lastId: resumeAfter });
  if (distortion.loopToken !== undefined) nextToken = distortion.loopToken;

  const wire = page.map(backupToWire);
  const first = page[0];
  if (distortion.malformed !== undefined && first !== undefined) {
    wire.unshift(backupToWire(malform(first, distortion.malformed, plan.folderId, catalog.folderIds)));
  }
  return { backups: wire, next_page_token: nextToken };
}

function malform(b: Backup, kind: MalformedKind, folderId: string, folderIds: readonly string[]): Backup {
  if (kind === 'empty-id') return { ...b, id: '' };
  const other = folderIds.find((id) => id !== folderId) ?? `b1g${'z'.repeat(17)}`;
  return { ...b, folderId: other };
}

function take<T>(source: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of source) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}
