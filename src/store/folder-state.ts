import type Database from 'better-sqlite3';

/** A folder's sync state as the mirror records it. Times are ms since the epoch. */
export interface FolderState {
  readonly folderId: string;
  readonly lastAttemptAt: number | null;
  readonly lastSuccessAt: number | null;
  /** The last pass's error, or null if it succeeded. */
  readonly lastError: string | null;
  readonly backupCount: number;
  readonly lastPassId: string | null;
}

interface FolderRow {
  folder_id: string;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  backup_count: number;
  last_pass_id: string | null;
}

/** Records a failed pass: only the folder's attempt time and error change; mirror and log stay as they were. */
export function recordFailure(db: Database.Database, folderId: string, at: number, error: string, passId: string): void {
  db.prepare(`INSERT INTO folders (folder_id, last_attempt_at, last_error, last_pass_id) VALUES (@folder, @at, @error, @pass)
    ON CONFLICT (folder_id) DO UPDATE SET last_attempt_at = @at, last_error = @error, last_pass_id = @pass`).run({
    folder: folderId,
    at,
    error,
    pass: passId,
  });
}

/** Every folder the mirror has ever attempted, by id. */
export function readFolderStates(db: Database.Database): FolderState[] {
  const rows = db.prepare('SELECT * FROM folders ORDER BY folder_id').all() as FolderRow[];
  return rows.map(fromRow);
}

/** One folder's state, or undefined if no pass was ever attempted. */
export function readFolderState(db: Database.Database, folderId: string): FolderState | undefined {
  const row = db.prepare('SELECT * FROM folders WHERE folder_id = ?').get(folderId) as FolderRow | undefined;
  return row === undefined ? undefined : fromRow(row);
}

function fromRow(r: FolderRow): FolderState {
  return {
    folderId: r.folder_id,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    backupCount: r.backup_count,
    lastPassId: r.last_pass_id,
  };
}
