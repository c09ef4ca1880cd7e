-- redis-backup-mirror schema, version 1.
-- The events table is the source of truth (append-only, gap-free seq from 1); backups and
-- folders are projections of it, changed only in the same transaction as the events.

PRAGMA application_id = 1380076849; -- 0x52424D31, "RBM1": marks the file as a mirror database

CREATE TABLE events (
  seq               INTEGER PRIMARY KEY,          -- gap-free, increasing (rowid, never deleted)
  type              TEXT    NOT NULL CHECK (type IN ('added', 'removed', 'updated')),
  folder_id         TEXT    NOT NULL,
  backup_id         TEXT    NOT NULL,
  observed_at       INTEGER NOT NULL,             -- ms since the epoch
  pass_id           TEXT    NOT NULL,
  bootstrap         INTEGER NOT NULL CHECK (bootstrap IN (0, 1)),
  -- the backup as observed (for 'removed': its last known state)
  created_s         INTEGER,
  created_ns        INTEGER,
  source_cluster_id TEXT    NOT NULL,
  started_s         INTEGER,
  started_ns        INTEGER,
  shard_names       TEXT    NOT NULL,             -- JSON array of strings
  backup_type       INTEGER NOT NULL
);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE backups (
  folder_id         TEXT    NOT NULL,
  id                TEXT    NOT NULL,
  created_s         INTEGER,
  created_ns        INTEGER,
  source_cluster_id TEXT    NOT NULL,
  started_s         INTEGER,
  started_ns        INTEGER,
  shard_names       TEXT    NOT NULL,
  backup_type       INTEGER NOT NULL,
  seq               INTEGER NOT NULL,             -- the event that set this state
  PRIMARY KEY (folder_id, id)
) WITHOUT ROWID;

CREATE INDEX backups_by_id ON backups (id);

CREATE TABLE folders (
  folder_id        TEXT PRIMARY KEY,
  last_attempt_at  INTEGER,                       -- ms since the epoch
  last_success_at  INTEGER,
  last_error       TEXT,                          -- null after a successful pass
  backup_count     INTEGER NOT NULL DEFAULT 0,
  last_pass_id     TEXT
) WITHOUT ROWID;
