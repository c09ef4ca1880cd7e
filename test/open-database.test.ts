import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MirrorStore } from '../src/store/mirror-store.js';
import { StoreError } from '../src/store/store-error.js';
import { tempDir } from './helpers/temp-dir.js';

test('a new database gets the schema, WAL mode and a recorded version', (t) => {
  const file = path.join(tempDir(t), 'sub', 'mirror.db');
  const store = MirrorStore.open(file);
  t.is(store.db.pragma('journal_mode', { simple: true }), 'wal');
  const versions = store.db.prepare('SELECT version FROM schema_version').all();
  t.deepEqual(versions, [{ version: 1 }, { version: 2 }]);
  store.close();
  // Reopening applies nothing twice.
  const again = MirrorStore.open(file);
  t.deepEqual(again.db.prepare('SELECT version FROM schema_version').all(), [{ version: 1 }, { version: 2 }]);
  again.close();
});

test('random bytes are refused with a clear message and left untouched', (t) => {
  const file = path.join(tempDir(t), 'random.db');
  const bytes = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256));
  writeFileSync(file, bytes);
  const err = t.throws(() => MirrorStore.open(file), { instanceOf: StoreError });
  t.regex(err.message, /random\.db is not a redis-backup-mirror database/);
  t.deepEqual(readFileSync(file), bytes);
});

test("another application's SQLite file is refused and left untouched", (t) => {
  const file = path.join(tempDir(t), 'other.db');
  const other = new Database(file);
  other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a')");
  other.close();
  const before = readFileSync(file);
  const err = t.throws(() => MirrorStore.open(file), { instanceOf: StoreError });
  t.regex(err.message, /some other application/);
  t.deepEqual(readFileSync(file), before);
});

test('a database from a newer build is refused and left untouched', (t) => {
  const file = path.join(tempDir(t), 'newer.db');
  MirrorStore.open(file).close();
  const db = new Database(file);
  db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (99, ?, 0)').run('future');
  db.pragma('journal_mode = DELETE');
  db.close();
  const before = readFileSync(file);
  const err = t.throws(() => MirrorStore.open(file), { instanceOf: StoreError });
  t.regex(err.message, /schema version 99, newer than this build supports \(2\)/);
  t.deepEqual(readFileSync(file), before);
});
