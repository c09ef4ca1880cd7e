-- redis-backup-mirror schema, version 2: a compact digest of each folder's mirrored backups
-- (id hashes, content fingerprints, ids), which lets a pass diff a listing without a SQLite
-- lookup per listed backup. Derived data, like `backups`: written only by a pass, in the
-- same transaction as its events, so it always describes the projection; a missing or
-- unreadable digest is rebuilt from `backups`. Stored as a base plus a delta (what changed
-- since the base was written), so that a pass that changed little writes little; values
-- are split in parts so that none grows with the folder.

CREATE TABLE folder_digests (
  folder_id         TEXT    PRIMARY KEY,
  generation        INTEGER NOT NULL,              -- bumped by every pass that writes the digest
  hash_check        INTEGER NOT NULL,              -- the id hash and fingerprint of fixed probes: a build
  print_check       INTEGER NOT NULL,              -- that computes them otherwise rebuilds the digest
  base_entries      INTEGER NOT NULL,
  base_id_bytes     INTEGER NOT NULL,
  removed_entries   INTEGER NOT NULL,              -- delta: base entries no longer mirrored
  removed_id_bytes  INTEGER NOT NULL,
  upserted_entries  INTEGER NOT NULL,              -- delta: entries not in the base, or with other content
  upserted_id_bytes INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE folder_digest_parts (
  folder_id TEXT    NOT NULL,
  kind      TEXT    NOT NULL CHECK (kind IN ('base', 'removed', 'upserted')),
  part      INTEGER NOT NULL,                      -- 0, 1, 2... in order
  data      BLOB    NOT NULL,
  PRIMARY KEY (folder_id, kind, part)
);
