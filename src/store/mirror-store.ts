import type Database from 'better-sqlite3';
import type { MirrorEvent } from '../mirror/event.js';
import { applyPass, type AppliedPass } from './apply-pass.js';
import { BackupReader } from './backup-reader.js';
import { headSequence, readEvents } from './event-reader.js';
import { readFolderState, readFolderStates, recordFailure, type FolderState } from './folder-state.js';
import { ListingStage } from './listing-stage.js';
import { openDatabase } from './open-database.js';
import { verifyLog, type VerifyReport } from './verify-log.js';

/**
 * The mirror database: the only thing the rest of the daemon knows about SQLite. Writes
 * are whole passes ({@link commitPass}) or a folder's failure; everything else reads.
 */
export class MirrorStore {
  readonly backups: BackupReader;

  private constructor(readonly db: Database.Database) {
    this.backups = new BackupReader(db);
  }

  /** Opens or creates the database at `file` (see {@link openDatabase} for the checks). */
  static open(file: string): MirrorStore {
    return new MirrorStore(openDatabase(file));
  }

  /** Starts collecting a folder's listing; dispose the stage when the pass ends, whatever happens. */
  beginListing(folderId: string): ListingStage {
    return new ListingStage(this.db, folderId);
  }

  /** Commits a complete listing as one transaction of events, projection and folder state. */
  commitPass(stage: ListingStage, passId: string, observedAt: number): AppliedPass {
    return applyPass(this.db, { stage, passId, observedAt });
  }

  /** Records that a pass over a folder failed; nothing else changes. */
  recordFailure(folderId: string, at: number, error: string, passId: string): void {
    recordFailure(this.db, folderId, at, error, passId);
  }

  folderStates(): FolderState[] {
    return readFolderStates(this.db);
  }

  folderState(folderId: string): FolderState | undefined {
    return readFolderState(this.db, folderId);
  }

  headSequence(): number {
    return headSequence(this.db);
  }

  events(afterSequence: number, options?: { limit?: number; folderId?: string | undefined }): MirrorEvent[] {
    return readEvents(this.db, afterSequence, options);
  }

  verify(): VerifyReport {
    return verifyLog(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
