import test, { type ExecutionContext } from 'ava';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startEmulator, type Emulator } from '../src/emulator/start-emulator.js';
import { collect, runCli, spawnCli, type CliResult } from './helpers/cli.js';
import { eventually } from './helpers/daemon-process.js';
import { IamServer, makeServiceAccount, writeAuthorizedKey } from './helpers/iam-server.js';
import { tempDir } from './helpers/temp-dir.js';

// The real daemon (`run`, a child process under tsx) authenticates against a real IAM
// server and an emulator that accepts only live IAM tokens, through failures; everything
// it writes, serves and records is then searched for credentials.

/** A daemon child process whose stdout and stderr are both captured. */
interface Daemon {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited, with everything it wrote. */
  readonly exited: Promise<CliResult>;
}

async function startDaemon(t: ExecutionContext, configFile: string, env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  const child = spawnCli(['run', '--config', configFile, '--print-events'], env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = collect(child).then((r) => ({ ...r, stdout, stderr }));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await eventually(() => /"metrics":"http:\/\/[^"]+"/.test(stderr) || child.exitCode !== null, 20_000, 'the daemon to start');
  const url = /"metrics":"(http:\/\/[^"]+)"/.exec(stderr)?.[1];
  if (url === undefined) throw new Error(`the daemon did not start:\n${stderr}`);
  return { child, metricsUrl: url, stdout: () => stdout, stderr: () => stderr, exited };
}

/** A daemon config for the emulator with the given `upstream.auth` lines. */
function writeConfig(dir: string, emulator: Emulator, auth: string[]): string {
  const file = path.join(dir, 'daemon.yaml');
  writeFileSync(
    file,
    [
      `folders: [${emulator.folderIds.join(', ')}]`,
      'schedule: "* * * * * *"',
      'upstream:',
      `  endpoint: ${emulator.address}`,
      '  tls: false',
      '  page_size: 5',
      '  timeout: 5s',
      '  retry:',
      '    max_attempts: 2',
      '    initial_backoff: 10ms',
      '    max_backoff: 50ms',
      '  auth:',
      ...auth.map((line) => `    ${line}`),
      'store:',
      '  path: mirror.db',
      'metrics:',
      '  listen: 127.0.0.1:0',
      'facade:',
      '  listen: 127.0.0.1:0',
      'log:',
      '  level: debug',
      '',
    ].join('\n'),
  );
  return file;
}

/** Counts of the daemon's log lines with this message. */
function logged(text: string, msg: string): number {
  return text.split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;
}

async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}

/** Every 32-character window (step 16) of the PEM body, so that any leaked part of it is found. */
function pemFragments(lines: readonly string[]): string[] {
  const body = lines.join('');
  const fragments: string[] = [];
  for (let i = 0; i + 32 <= body.length; i += 16) fragments.push(body.slice(i, i + 32));
  return fragments;
}

/** Names (never values) of the secrets found in `text`. */
function leaks(text: string, secrets: Record<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (const [kind, values] of Object.entries(secrets)) {
    values.forEach((value, i) => {
      if (value.length >= 8 && text.includes(value)) found.push(`${kind} #${i}`);
    });
  }
  if (text.includes('eyJ')) found.push('JWT-looking text (eyJ)');
  return found;
}

/** Waits until the daemon has committed a folder pass after `offset` characters of its log. */
async function commitAfter(daemon: Daemon, offset: number, what: string): Promise<void> {
  await eventually(() => logged(daemon.stderr().slice(offset), 'folder pass committed') > 0, 15_000, what);
}

test('service-account key through IAM outages, a revoked token and failing pages: no token, JWT or key in logs, metrics, events or sync output', async (t) => {
  const account = makeServiceAccount();
  // Tokens expire 32 s after issue; the daemon uses one only while more than 30 s remain, so it refreshes every 2 s or so.
  const iam = await IamServer.start({ account, lifetimeMs: 32_000 });
  t.teardown(() => iam.stop());
  const revoked = new Set<string>();
  let refused = 0;
  const emulator = await startEmulator({
    folders: 2,
    clustersPerFolder: 2,
    acceptToken: (token) => {
      const ok = iam.accepts(token) && !revoked.has(token);
      if (!ok) refused += 1;
      return ok;
    },
  });
  t.teardown(() => emulator.close());
  const dir = tempDir(t);
  const keyFile = path.join(dir, 'sa-key.json');
  writeAuthorizedKey(keyFile, account);
  const authLines = ['kind: service-account-key', `key_file: ${keyFile}`, `iam_endpoint: ${iam.address}`];
  const config = writeConfig(dir, emulator, authLines);
  const daemon = await startDaemon(t, config);
  const scrapes: string[] = [];

  await commitAfter(daemon, 0, 'the first committed pass');
  scrapes.push(await scrape(daemon.metricsUrl));
  // The log, read while the daemon goes on writing it.
  const events = runCli(['events', '--config', config]);

  // The IAM service fails, echoing the JWT it was sent, until the daemon has noticed.
  let mark = daemon.stderr().length;
  iam.fail({ code: grpc.status.UNAVAILABLE, details: (jwt) => `Service is unavailable, try again later; got jwt=${jwt}` });
  await eventually(() => daemon.stderr().slice(mark).includes('cannot obtain an IAM token'), 15_000, 'a pass failing for want of a token');
  scrapes.push(await scrape(daemon.metricsUrl));
  iam.failing = null;
  mark = daemon.stderr().length;
  await commitAfter(daemon, mark, 'recovery after the IAM outage');

  // At once: the cloud refuses the current token (revoked: one refresh, one retry), and
  // one folder's second page fails past max_attempts.
  mark = daemon.stderr().length;
  const [first = ''] = emulator.folderIds;
  emulator.faults.set({ failPage: { page: 1, folderId: first, code: grpc.status.UNAVAILABLE, times: 2 } });
  await eventually(
    () => {
      if (refused === 0 && iam.lastIssued !== null) revoked.add(iam.lastIssued);
      return refused > 0 && daemon.stderr().slice(mark).includes('gave up after 2 attempts');
    },
    15_000,
    'a revoked token refused and a pass giving up on a page',
  );
  scrapes.push(await scrape(daemon.metricsUrl));

  // The one-shot command with the same credentials, beside the daemon (no fault is left),
  // into a mirror of its own (two writers of one mirror would refuse each other's passes).
  // Long-lived tokens from now on: a process starting up under load may take longer than a 2 s window.
  iam.lifetimeMs = 12 * 3600_000;
  const syncDir = path.join(dir, 'sync');
  mkdirSync(syncDir);
  const sync = runCli(['sync', '--config', writeConfig(syncDir, emulator, authLines)]);
  mark = daemon.stderr().length;
  await commitAfter(daemon, mark, 'recovery after the failures');
  scrapes.push(await scrape(daemon.metricsUrl));
  const [synced, listed] = await Promise.all([sync, events]);
  daemon.child.kill('SIGTERM');
  const stopped = await daemon.exited;
  t.is(stopped.code, 0, stopped.stderr);
  t.is(synced.code, 0, `${synced.stdout}\n${synced.stderr}`);
  t.is(listed.code, 0, listed.stderr);

  const everything = [stopped.stdout, stopped.stderr, ...scrapes, synced.stdout, synced.stderr, listed.stdout, listed.stderr].join('\n');
  const secrets = { 'IAM token or JWT': iam.secrets(), 'private key fragment': pemFragments(account.pemBodyLines) };
  t.deepEqual(leaks(everything, secrets), []);

  // The flows did happen, and what was written is what an operator needs.
  t.deepEqual(iam.rejections, [], 'every JWT verified');
  t.true(iam.issued.size >= 3, `${iam.issued.size} tokens issued`);
  t.true(refused >= 1);
  t.regex(stopped.stderr, /cannot obtain an IAM token from service account key .*sa-key\.json via IAM 127\.0\.0\.1:\d+: IamTokenService\.Create failed with UNAVAILABLE/);
  t.regex(stopped.stderr, /"msg":"upstream call failed, retrying"/);
  t.regex(stopped.stderr, /List failed with UNAVAILABLE: .*\(gave up after 2 attempts\) \[x-request-id /);
  t.true(scrapes.every((text) => text.includes('redis_backup_mirror_')));
  t.true(listed.stdout.split('\n').filter((l) => l.trim() !== '').length >= 14, 'the events were listed');
  t.is(synced.stdout.split('\n').filter((l) => l.includes('"ok":true')).length, 2);
  t.regex(stopped.stdout, /#1 added/);
});

test('iam-token from token_env (sync command): the token is sent but never written, through a refused token and a refused folder', async (t) => {
  const token = `t1.${randomBytes(48).toString('base64url')}`;
  let refusedOnce = false;
  const emulator = await startEmulator({
    folders: 2,
    clustersPerFolder: 2,
    // The right token is refused once (as if revoked and reissued unchanged): re-read, retried, accepted.
    acceptToken: (presented) => {
      if (presented !== token) return false;
      if (refusedOnce) return true;
      refusedOnce = true;
      return false;
    },
  });
  t.teardown(() => emulator.close());
  const [, second = ''] = emulator.folderIds;
  emulator.faults.set({ failPage: { page: 0, folderId: second, code: grpc.status.PERMISSION_DENIED } });
  const config = writeConfig(tempDir(t), emulator, ['kind: iam-token', 'token_env: RBM_TEST_IAM_TOKEN']);
  const sync = await runCli(['sync', '--config', config], { RBM_TEST_IAM_TOKEN: token });

  t.is(sync.code, 1, 'one folder failed');
  t.true(refusedOnce);
  t.is(emulator.stats.lastMetadata?.['authorization'], `Bearer ${token}`);
  t.regex(sync.stdout, /"ok":true/);
  t.regex(sync.stdout, /managed-redis\.viewer on folder /);
  t.deepEqual(leaks(`${sync.stdout}\n${sync.stderr}`, { 'IAM token': [token, token.slice(3, 40)] }), []);
});

test('oauth (sync command): the deprecation warning is logged; neither the OAuth token nor the IAM tokens are written', async (t) => {
  const oauth = `y0_${randomBytes(40).toString('base64url')}`;
  const account = makeServiceAccount();
  const iam = await IamServer.start({ account, lifetimeMs: 12 * 3600_000, oauthTokens: [oauth] });
  t.teardown(() => iam.stop());
  const emulator = await startEmulator({ folders: 2, clustersPerFolder: 2, acceptToken: (token) => iam.accepts(token) });
  t.teardown(() => emulator.close());
  const [, second = ''] = emulator.folderIds;
  emulator.faults.set({ failPage: { page: 0, folderId: second, code: grpc.status.UNAUTHENTICATED } });
  const config = writeConfig(tempDir(t), emulator, ['kind: oauth', 'token_env: RBM_TEST_OAUTH', `iam_endpoint: ${iam.address}`]);
  const sync = await runCli(['sync', '--config', config], { RBM_TEST_OAUTH: oauth });

  t.is(sync.code, 1, 'the folder whose calls are refused failed');
  t.regex(sync.stderr, /"level":"warn","msg":"auth kind \\"oauth\\" is deprecated: Yandex Cloud retires OAuth tokens at the end of 2026/);
  t.regex(sync.stdout, /the IAM token was refused: check upstream\.auth/);
  t.regex(sync.stdout, /"ok":true/);
  t.true(iam.oauthSeen.length >= 2 && iam.oauthSeen.every((o) => o === oauth), 'UNAUTHENTICATED forced a second exchange');
  t.deepEqual(iam.rejections, []);
  t.deepEqual(leaks(`${sync.stdout}\n${sync.stderr}`, { 'OAuth token': [oauth], 'IAM token': iam.secrets() }), []);
});
