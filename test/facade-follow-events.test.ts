import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { eventToJson } from '../src/cli/event-json.js';
import { followEvents } from '../src/cli/follow-events.js';
import { UsageError } from '../src/cli/usage-error.js';
import { dayMs } from '../src/emulator/backup-schedule.js';
import { startFacade } from '../src/facade/start-facade.js';
import { silentLogger } from '../src/log/logger.js';
import { eventually, facadeFixture, type FacadeFixture } from './helpers/facade-fixture.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** An in-memory CommandIo whose output lines can be inspected. */
function captureIo() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return {
    io: { stdout, stderr, env: {} },
    lines: () => out.split('\n').filter((l) => l !== ''),
    stderr: () => err,
  };
}

function logLines(fx: FacadeFixture, after = 0, folderId?: string): string[] {
  return fx.reader.events(after, { limit: 1_000_000, folderId }).map((e) => JSON.stringify(eventToJson(e)));
}

test('events --address without --follow prints the log as JSON lines and exits 0 once caught up', async (t) => {
  const fx = await facadeFixture(t);
  const c = captureIo();
  t.is(await followEvents(['--address', fx.facade.address], c.io), 0);
  t.deepEqual(c.lines(), logLines(fx));
  const folder = fx.emulator.folderIds[1] ?? '';
  const d = captureIo();
  t.is(await followEvents(['--address', fx.facade.address, '--after', '3', '--folder', folder], d.io), 0);
  t.deepEqual(d.lines(), logLines(fx, 3, folder));
});

test('events --follow streams new events and resumes after a disconnect without gaps or repeats', async (t) => {
  const fx = await facadeFixture(t);
  const c = captureIo();
  const stop = new AbortController();
  const exit = followEvents(['--address', fx.facade.address, '--follow'], c.io, stop.signal);
  await eventually(() => c.lines().length === fx.reader.headSequence(), 'the replay');

  fx.emulator.clock.advance(dayMs);
  await fx.sync();
  await eventually(() => c.lines().length === fx.reader.headSequence(), 'events committed while connected');

  // The daemon goes away; a pass commits meanwhile; the daemon comes back on the same port.
  await fx.facade.close(1000);
  fx.emulator.clock.advance(dayMs);
  await fx.sync();
  const again = await startFacade({ listen: { host: '127.0.0.1', port: fx.facade.port }, tls: null, store: fx.reader, folders: fx.folders, commits: fx.commits, logger: silentLogger });
  t.teardown(() => again.close(100));
  await eventually(() => c.lines().length >= fx.reader.headSequence(), 'events after reconnecting');
  t.deepEqual(c.lines(), logLines(fx), 'each event once, in order');
  t.regex(c.stderr(), /reconnecting in \d+ ms after sequence \d+/);

  stop.abort();
  t.is(await exit, 0);
});

test('events --address: a request the server refuses exits 1 naming the problem; bad flags are usage errors', async (t) => {
  const fx = await facadeFixture(t);
  const c = captureIo();
  t.is(await followEvents(['--address', fx.facade.address, '--after', String(fx.reader.headSequence() + 10)], c.io), 1);
  t.regex(c.stderr(), /OUT_OF_RANGE: after_sequence: /);
  const d = captureIo();
  t.is(await followEvents(['--address', fx.facade.address, '--folder', 'b1gnotmirrored', '--follow'], d.io), 1);
  t.regex(d.stderr(), /NOT_FOUND: folder_id: /);
  await t.throwsAsync(followEvents(['--follow'], c.io), { instanceOf: UsageError, message: /--address/ });
  await t.throwsAsync(followEvents(['--address', fx.facade.address, '--tls-cert', 'x.pem'], c.io), { instanceOf: UsageError, message: /--tls-key/ });
  await t.throwsAsync(followEvents(['--address', fx.facade.address, '--after', '-1'], c.io), { instanceOf: UsageError, message: /--after/ });
});

test('events --follow exits 0 on SIGINT and SIGTERM', async (t) => {
  t.timeout(180_000); // starts child processes through tsx; slow when the machine is shared
  const fx = await facadeFixture(t);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const script = "import { followEvents } from './src/cli/follow-events.ts'; process.exitCode = await followEvents(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, env: process.env });";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--address', fx.facade.address, '--follow'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(() => out.split('\n').filter((l) => l !== '').length === fx.reader.headSequence(), 'the child to print the log');
    child.kill(signal);
    t.is(await exited, 0, signal);
  }
});
