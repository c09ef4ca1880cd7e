import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log/logger.js';
import type { MirrorStore } from '../store/mirror-store.js';
import { encodeBackup, encodeListResponse } from './backup-encoding.js';
import type { ByteLru } from './byte-lru.js';
import { backupServiceName, facadeServiceDefinition } from './facade-protos.js';
import type { FolderDirectory, FolderEntry } from './folder-directory.js';
import type { PageTokenCodec } from './page-token.js';
import { quoted, validateGetRequest, validateListRequest } from './request-rules.js';
import { ServerError, toServiceError } from './server-error.js';

/** A cached `Get` answer: the encoded backup and the folder it belongs to. */
export interface CachedBackup {
  readonly bytes: Buffer;
  readonly folderId: string;
}

export interface BackupServiceDeps {
  readonly store: MirrorStore;
  readonly directory: FolderDirectory;
  readonly tokens: PageTokenCodec;
  /** Encoded List pages by folder, page size and cursor, tagged with the folder's version. */
  readonly pages: ByteLru<Buffer>;
  /** Encoded backups by id, tagged with the directory's generation. */
  readonly backups: ByteLru<CachedBackup>;
  /** Re-reads folder states now (and drops what changed): used before answering "not synced yet". */
  readonly refresh: () => void;
  readonly logger: Logger;
}

/** The cache key prefix of one folder's pages. */
export function pageKeyPrefix(folderId: string): string {
  return `${folderId}\0`;
}

/**
 * `yandex.cloud.mdb.redis.v1.BackupService` with response serializers that pass
 * pre-encoded bytes through untouched (and still encode plain objects), so handlers can
 * answer from caches of encoded messages.
 */
export function bytesBackupServiceDefinition(): grpc.ServiceDefinition {
  const base = facadeServiceDefinition(backupServiceName);
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(base)) {
    const encode = method.responseSerialize;
    out[name] = { ...method, responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : encode(value)) };
  }
  return out as grpc.ServiceDefinition;
}

/** Handlers for BackupService Get and List, answered from the mirror. Delete is deliberately absent (UNIMPLEMENTED). */
export function backupServiceHandlers(deps: BackupServiceDeps): grpc.UntypedServiceImplementation {
  const { directory, logger } = deps;

  const list: grpc.handleUnaryCall<Record<string, unknown> | null, Buffer> = (call, callback) => {
    let metadata: grpc.Metadata | undefined;
    try {
      const folderId = call.request?.['folder_id'];
      if (typeof folderId === 'string') metadata = directory.get(folderId)?.metadata ?? undefined;
      const plan = validateListRequest(call.request);
      const entry = syncedFolder(deps, plan.folderId);
      metadata = entry.metadata ?? undefined;
      const afterId = plan.pageToken === '' ? null : deps.tokens.decode(plan.folderId, plan.pageToken);
      const bytes = listPage(deps, entry, afterId, plan.pageSize);
      if (metadata !== undefined) call.sendMetadata(metadata);
      callback(null, bytes);
    } catch (err) {
      callback(toServiceError(err, 'BackupService.List', logger, metadata));
    }
  };

  const get: grpc.handleUnaryCall<Record<string, unknown> | null, Buffer> = (call, callback) => {
    let metadata: grpc.Metadata | undefined;
    try {
      const id = validateGetRequest(call.request);
      const found = lookupBackup(deps, id);
      let entry = found === undefined ? undefined : directory.get(found.folderId);
      // A backup of a folder this instance no longer mirrors is not served: the data is stale.
      if (found === undefined || entry === undefined) throw new ServerError(grpc.status.NOT_FOUND, `backup_id: backup ${quoted(id)} not found`);
      if (entry.metadata === null) {
        deps.refresh();
        entry = directory.get(found.folderId);
      }
      metadata = entry?.metadata ?? undefined;
      if (metadata !== undefined) call.sendMetadata(metadata);
      callback(null, found.bytes);
    } catch (err) {
      callback(toServiceError(err, 'BackupService.Get', logger, metadata));
    }
  };

  return { Get: get, List: list };
}

/** The folder's entry if it is configured and has synced; NOT_FOUND or UNAVAILABLE otherwise. */
function syncedFolder(deps: BackupServiceDeps, folderId: string): FolderEntry {
  let entry = deps.directory.get(folderId);
  if (entry === undefined) {
    throw new ServerError(grpc.status.NOT_FOUND, `folder_id: folder ${quoted(folderId)} is not mirrored by this instance`);
  }
  if (entry.syncedAt === null) {
    // Our view may be a moment behind a first pass that just committed.
    deps.refresh();
    entry = deps.directory.get(folderId);
  }
  if (entry === undefined || entry.syncedAt === null) {
    throw new ServerError(
      grpc.status.UNAVAILABLE,
      `folder_id: folder ${quoted(folderId)} is mirrored, but its first sync pass has not succeeded yet; retry later`,
    );
  }
  return entry;
}

/** One page, encoded: from the cache, or read by keyset (id > afterId) and encoded once. */
function listPage(deps: BackupServiceDeps, entry: FolderEntry, afterId: string | null, size: number): Buffer {
  const key = `${pageKeyPrefix(entry.folderId)}${size}\0${afterId ?? ''}`;
  const cached = deps.pages.get(key, entry.version);
  if (cached !== undefined) return cached;
  // One row more than the page tells whether another page follows, so the last page
  // carries no token and nobody fetches an empty page.
  const rows = deps.store.backups.list(entry.folderId, afterId, size + 1);
  const page = rows.length > size ? rows.slice(0, size) : rows;
  const last = page.at(-1);
  const token = rows.length > size && last !== undefined ? deps.tokens.encode(entry.folderId, last.id) : '';
  const bytes = encodeListResponse(page, token);
  deps.pages.set(key, entry.version, bytes, bytes.length);
  return bytes;
}

function lookupBackup(deps: BackupServiceDeps, id: string): CachedBackup | undefined {
  const tag = String(deps.directory.generation);
  const cached = deps.backups.get(id, tag);
  if (cached !== undefined) return cached;
  const backup = deps.store.backups.get(id);
  if (backup === undefined) return undefined;
  const found = { bytes: encodeBackup(backup), folderId: backup.folderId };
  deps.backups.set(id, tag, found, found.bytes.length + id.length * 2);
  return found;
}
