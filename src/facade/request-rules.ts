import { status } from '@grpc/grpc-js';
import { ServerError } from './server-error.js';

/**
 * The cloud's request rules for BackupService (its protos carry them as validation
 * options) and the rules of our own Watch, as pure functions: wire requests in, validated
 * values out, a {@link ServerError} INVALID_ARGUMENT naming the field otherwise.
 */

export const maxFolderIdLength = 50;
export const maxPageSize = 1000;
/** What `page_size: 0` means. */
export const defaultPageSize = 100;
export const maxPageTokenLength = 100;

export interface ListRequestPlan {
  readonly folderId: string;
  /** Effective page size, 1..1000. */
  readonly pageSize: number;
  /** The raw page token; '' = the first page. */
  readonly pageToken: string;
}

export interface WatchRequestPlan {
  readonly afterSequence: number;
  /** undefined = every folder. */
  readonly folderId: string | undefined;
}

/** A client-supplied value for an error message: JSON-quoted, cut at 100 characters (it goes into a header). */
export function quoted(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value);
}

function invalid(message: string): ServerError {
  return new ServerError(status.INVALID_ARGUMENT, message);
}

/** A decoded request object, as far as it is one (garbage decodes to a partial or odd object). */
type Loose = Record<string, unknown> | null | undefined;

function stringField(req: Loose, name: string): string {
  const value = req?.[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(`${name}: must be a string`);
  return value;
}

function integerField(req: Loose, name: string): number {
  const value = req?.[name];
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw invalid(`${name}: must be an integer, got ${String(value)}`);
  return n;
}

function folderIdRule(folderId: string, required: boolean): void {
  if (required && folderId === '') throw invalid('folder_id: required');
  if (folderId.length > maxFolderIdLength) {
    throw invalid(`folder_id: must be at most ${maxFolderIdLength} characters, got ${folderId.length}`);
  }
}

/** `GetBackupRequest`: `backup_id` required. */
export function validateGetRequest(req: Loose): string {
  const id = stringField(req, 'backup_id');
  if (id === '') throw invalid('backup_id: required');
  return id;
}

/** `ListBackupsRequest`: folder_id required, <= 50 chars; page_size 0..1000 (0 = 100); page_token <= 100 chars. */
export function validateListRequest(req: Loose): ListRequestPlan {
  const folderId = stringField(req, 'folder_id');
  folderIdRule(folderId, true);
  const size = integerField(req, 'page_size');
  if (size < 0 || size > maxPageSize) throw invalid(`page_size: must be between 0 and ${maxPageSize}, got ${size}`);
  const pageToken = stringField(req, 'page_token');
  if (pageToken.length > maxPageTokenLength) {
    throw invalid(`page_token: must be at most ${maxPageTokenLength} characters, got ${pageToken.length}`);
  }
  return { folderId, pageSize: size === 0 ? defaultPageSize : size, pageToken };
}

/** `WatchRequest`: after_sequence >= 0; folder_id optional, <= 50 chars. */
export function validateWatchRequest(req: Loose): WatchRequestPlan {
  const afterSequence = integerField(req, 'after_sequence');
  if (afterSequence < 0) throw invalid(`after_sequence: must be >= 0, got ${afterSequence}`);
  const folderId = stringField(req, 'folder_id');
  folderIdRule(folderId, false);
  return { afterSequence, folderId: folderId === '' ? undefined : folderId };
}
