import { status } from '@grpc/grpc-js';
import type { WireGetBackupRequest, WireListBackupsRequest } from '../upstream/proto.js';
import { decodePageToken } from './page-token.js';
import type { PageCursor } from './page-token.js';

/**
 * The cloud's request rules for BackupService, enforced as upstream does (its protos
 * carry them as validation options). Pure: requests in, a plan or a gRPC status out.
 */

/** A refusal: gRPC status code and a message naming the field. */
export interface RequestError {
  readonly code: status;
  readonly details: string;
}

/** A List request that passed validation. */
export interface ListPlan {
  readonly folderId: string;
  /** Effective page size, 1..1000 (0 on the wire means 100). */
  readonly pageSize: number;
  readonly cursor: PageCursor;
}

export const maxFolderIdLength = 50;
export const maxPageSize = 1000;
export const defaultPageSize = 100;
export const maxPageTokenLength = 100;

type Result<T> = { ok: true; value: T } | { ok: false; error: RequestError };

function invalid(details: string): { ok: false; error: RequestError } {
  return { ok: false, error: { code: status.INVALID_ARGUMENT, details } };
}

/** Validates a List request and resolves its page token. */
export function validateListRequest(req: Partial<WireListBackupsRequest>): Result<ListPlan> {
  const folderId = req.folder_id ?? '';
  const rawSize = Number(req.page_size ?? 0);
  const token = req.page_token ?? '';
  if (folderId === '') return invalid('folder_id: required');
  if (folderId.length > maxFolderIdLength) {
    return invalid(`folder_id: must be at most ${maxFolderIdLength} characters, got ${folderId.length}`);
  }
  if (!Number.isInteger(rawSize) || rawSize < 0 || rawSize > maxPageSize) {
    return invalid(`page_size: must be between 0 and ${maxPageSize}, got ${req.page_size ?? ''}`);
  }
  if (token.length > maxPageTokenLength) {
    return invalid(`page_token: must be at most ${maxPageTokenLength} characters, got ${token.length}`);
  }
  let cursor: PageCursor = { pageIndex: 0, lastId: '' };
  if (token !== '') {
    const decoded = decodePageToken(folderId, token);
    if (!decoded.ok) {
      return invalid(
        decoded.problem === 'foreign-folder'
          ? 'page_token: was issued for another folder_id'
          : 'page_token: invalid page token',
      );
    }
    cursor = decoded.cursor;
  }
  return { ok: true, value: { folderId, pageSize: rawSize === 0 ? defaultPageSize : rawSize, cursor } };
}

/** Validates a Get request; yields the backup id. */
export function validateGetRequest(req: Partial<WireGetBackupRequest>): Result<string> {
  const id = req.backup_id ?? '';
  if (id === '') return invalid('backup_id: required');
  return { ok: true, value: id };
}
