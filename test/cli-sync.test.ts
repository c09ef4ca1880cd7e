import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { startEmulator } from '../src/emulator/start-emulator.js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { collect, jsonLines, runCli, spawnCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

function writeConfig(dir: string, endpoint: string, folders: readonly string[], extra = ''): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    `folders: [${folders.join(', ')}]\nupstream:\n  endpoint: ${endpoint}\n  tls: false\n  page_size: 50\n  retry:\n    max_attempts: 1\nstore:\n  path: mirror.db\n${extra}`,
  );
  return file;
}

test('sync prints one summary per folder, exits 0, and verify and events read the result', async (t) => {
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 3 });
  t.teardown(() => emulator.close());
  const config = writeConfig(tempDir(t), emulator.address, emulator.folderIds);
  const run = await runCli(['sync', '--config', config]);
  t.is(run.code, 0, run.stderr);
  const lines = jsonLines(run.stdout);
  t.deepEqual(lines.map((l) => [l['folder'], l['ok'], l['added'], l['backups'], l['error']]), [
    [emulator.folderIds[0], true, 21, 21, null],
    [emulator.folderIds[1], true, 21, 21, null],
  ]);
  t.is(typeof lines[0]?.['duration'], 'number');
  const verify = await runCli(['verify', '--config', config]);
  t.is(verify.code, 0);
  t.like(JSON.parse(verify.stdout), { ok: true, events: 42, backups: 42 });
  const events = await runCli(['events', '--config', config, '--after', '40']);
  t.deepEqual(jsonLines(events.stdout).map((e) => e['sequence']), [41, 42]);
  const oneFolder = await runCli(['events', '--config', config, '--folder', emulator.folderIds[0] ?? '']);
  t.is(jsonLines(oneFolder.stdout).length, 21);
});

test('sync exits 1 when a folder fails, still syncing the others', async (t) => {
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 3 });
  t.teardown(() => emulator.close());
  const [bad, good] = emulator.folderIds;
  emulator.faults.set({ failPage: { page: 0, folderId: bad, code: status.PERMISSION_DENIED } });
  const config = writeConfig(tempDir(t), emulator.address, emulator.folderIds);
  const run = await runCli(['sync', '--config', config]);
  t.is(run.code, 1);
  const lines = jsonLines(run.stdout);
  t.like(lines.find((l) => l['folder'] === bad), { ok: false, added: 0 });
  t.regex(String(lines.find((l) => l['folder'] === bad)?.['error']), /PERMISSION_DENIED.*managed-redis\.viewer on folder/);
  t.like(lines.find((l) => l['folder'] === good), { ok: true, added: 21 });
});

test('bad configuration exits 2 naming the key; a foreign database file exits 2 and is not touched', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, '127.0.0.1:1', ['b1gfolder'], 'sync:\n  concurency: 3\n');
  const run = await runCli(['sync', '--config', config]);
  t.is(run.code, 2);
  t.regex(run.stderr, /unknown key "sync\.concurency"/);
  const missing = await runCli(['sync']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /--config FILE is required/);

  const foreign = writeConfig(dir, '127.0.0.1:1', ['b1gfolder']);
  writeFileSync(path.join(dir, 'mirror.db'), 'these are not the bytes you are looking for');
  const refused = await runCli(['verify', '--config', foreign]);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /mirror\.db is not a redis-backup-mirror database/);
});

test('a sync killed with SIGKILL mid-pass leaves a database that opens, verifies and converges', async (t) => {
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 300 });
  t.teardown(() => emulator.close());
  const config = writeConfig(tempDir(t), emulator.address, emulator.folderIds);
  t.is((await runCli(['sync', '--config', config])).code, 0);
  for (const killAfterPages of [3, 60, 84]) {
    emulator.clock.advance(dayMs);
    emulator.faults.set({ delayMs: 5 });
    const served = emulator.stats.pagesServed;
    const child = spawnCli(['sync', '--config', config]);
    const done = collect(child);
    while (emulator.stats.pagesServed < served + killAfterPages) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    t.is((await done).signal, 'SIGKILL');
    emulator.faults.clear();
    const verify = await runCli(['verify', '--config', config]);
    t.is(verify.code, 0, verify.stdout);
  }
  const again = await runCli(['sync', '--config', config]);
  t.is(again.code, 0, again.stderr);
  const lines = jsonLines(again.stdout);
  t.deepEqual(
    lines.map((l) => l['backups']),
    emulator.folderIds.map((f) => emulator.catalog.count(f)),
  );
  t.is((await runCli(['verify', '--config', config])).code, 0);
});
