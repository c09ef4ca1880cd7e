import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log/logger.js';
import { timestampFromMillis } from '../mirror/backup.js';
import type { MirrorStore } from '../store/mirror-store.js';
import type { WireTimestamp } from '../upstream/proto.js';
import { toServiceError } from './server-error.js';

/** `redis_backup_mirror.v1.FolderStatus` as proto-loader encodes it. */
export interface WireFolderStatus {
  folder_id: string;
  last_attempt_at: WireTimestamp | null;
  last_success_at: WireTimestamp | null;
  last_error: string;
  backup_count: number;
  last_pass_id: string;
}

export interface WireGetStatusResponse {
  folders: WireFolderStatus[];
  head_sequence: number;
}

/** The status of every configured folder (in id order) and the log's head, read in one snapshot. */
export function readStatus(store: MirrorStore, folders: readonly string[]): WireGetStatusResponse {
  return store.db.transaction(() => {
    const states = new Map(store.folderStates().map((s) => [s.folderId, s]));
    return {
      folders: [...folders].sort().map((folderId) => {
        const s = states.get(folderId);
        return {
          folder_id: folderId,
          last_attempt_at: s?.lastAttemptAt == null ? null : timestampFromMillis(s.lastAttemptAt),
          last_success_at: s?.lastSuccessAt == null ? null : timestampFromMillis(s.lastSuccessAt),
          last_error: s?.lastError ?? '',
          backup_count: s?.backupCount ?? 0,
          last_pass_id: s?.lastPassId ?? '',
        };
      }),
      head_sequence: store.headSequence(),
    };
  })();
}

/** The GetStatus handler. */
export function getStatusHandler(store: MirrorStore, folders: readonly string[], logger: Logger): grpc.handleUnaryCall<unknown, WireGetStatusResponse> {
  return (_call, callback) => {
    try {
      callback(null, readStatus(store, folders));
    } catch (err) {
      callback(toServiceError(err, 'MirrorService.GetStatus', logger));
    }
  };
}
