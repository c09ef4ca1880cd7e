import test, { type ExecutionContext } from 'ava';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AuthError } from '../src/upstream/auth/auth-error.js';
import { createTokenProvider, type AuthInput, type TokenProvider } from '../src/upstream/auth/create-token-provider.js';
import { tempDir } from './helpers/temp-dir.js';

const hour = 3_600_000;
const secret = 't1.9euelZqSnJqVkseKx5qRzZGTk8yJnZKJmZqXn5uSkpqWzc2ck-secret-value';

function make(t: ExecutionContext, auth: AuthInput, env: Record<string, string> = {}, clock = { t: Date.UTC(2026, 0, 1) }): TokenProvider {
  const p = createTokenProvider(auth, {
    tls: true,
    caFile: null,
    timeoutMs: 1_000,
    env,
    now: () => clock.t,
    cache: {
      random: () => 0.5,
      sleep: (ms) => {
        clock.t += ms;
        return Promise.resolve();
      },
    },
  });
  t.teardown(() => p.close());
  return p;
}

const live = (): AbortSignal => new AbortController().signal;

test('kind none gives no token', async (t) => {
  const p = make(t, { kind: 'none' });
  t.is(await p.get(live()), null);
  p.invalidate();
  t.is(await p.get(live()), null);
});

test('kind static gives its token', async (t) => {
  const p = make(t, { kind: 'static', token: 'emulator-token' });
  t.is(await p.get(live()), 'emulator-token');
  t.is(p.description, 'static token');
});

test('env token: read and trimmed', async (t) => {
  const p = make(t, { kind: 'iam-token', tokenEnv: 'YC_IAM_TOKEN', tokenFile: null }, { YC_IAM_TOKEN: `  ${secret}\n` });
  t.is(await p.get(live()), secret);
  t.is(p.description, 'env var YC_IAM_TOKEN');
});

test('env token missing or empty: the error names the variable', async (t) => {
  const envs: Array<Record<string, string>> = [{}, { YC_IAM_TOKEN: '' }, { YC_IAM_TOKEN: '  \n' }];
  for (const env of envs) {
    const p = make(t, { kind: 'iam-token', tokenEnv: 'YC_IAM_TOKEN', tokenFile: null }, env);
    const err = await t.throwsAsync(p.get(live()), { instanceOf: AuthError });
    t.is(err.message, 'cannot obtain an IAM token from env var YC_IAM_TOKEN: environment variable YC_IAM_TOKEN is not set or empty');
    t.false(err.retryable);
  }
});

test('env token: the value never appears in errors, even when another variable holds it', async (t) => {
  const p = make(t, { kind: 'iam-token', tokenEnv: 'MISSING_VAR', tokenFile: null }, { OTHER: secret });
  const err = await t.throwsAsync(p.get(live()));
  t.false(err.message.includes(secret));
  t.regex(err.message, /MISSING_VAR/);
});

test('iam-token needs exactly one of tokenEnv and tokenFile', (t) => {
  t.throws(() => make(t, { kind: 'iam-token', tokenEnv: null, tokenFile: null }), { instanceOf: AuthError, message: /exactly one of tokenEnv and tokenFile/ });
  t.throws(() => make(t, { kind: 'iam-token', tokenEnv: 'A', tokenFile: '/x' }), { instanceOf: AuthError, message: /exactly one/ });
});

test('token file: trimmed, and re-read after it changes (in place or by rename)', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'iam-token');
  writeFileSync(file, 'first-token\n');
  const p = make(t, { kind: 'iam-token', tokenEnv: null, tokenFile: file });
  t.is(await p.get(live()), 'first-token');
  t.is(await p.get(live()), 'first-token');
  writeFileSync(file, '  second-token  \n');
  t.is(await p.get(live()), 'second-token');
  const next = path.join(dir, 'iam-token.new');
  writeFileSync(next, 'third-token');
  renameSync(next, file);
  t.is(await p.get(live()), 'third-token');
  t.is(p.description, `token file ${file}`);
});

test('token file: a missing or empty file is named in the error; a vanished file keeps the last token until invalidated', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'iam-token');
  const p = make(t, { kind: 'iam-token', tokenEnv: null, tokenFile: file });
  const missing = await t.throwsAsync(p.get(live()), { instanceOf: AuthError });
  t.is(missing.message, `cannot obtain an IAM token from token file ${file}: cannot read ${file} (ENOENT)`);

  writeFileSync(file, '\n\n');
  const clock = { t: Date.UTC(2026, 0, 1) };
  const q = make(t, { kind: 'iam-token', tokenEnv: null, tokenFile: file }, {}, clock);
  await t.throwsAsync(q.get(live()), { message: /is empty/ });

  writeFileSync(file, secret);
  clock.t += hour;
  t.is(await q.get(live()), secret);
  rmSync(file);
  t.is(await q.get(live()), secret, 'a renewal glitch does not drop a token the cloud still accepts');
  q.invalidate();
  const err = await t.throwsAsync(q.get(live()), { instanceOf: AuthError });
  t.regex(err.message, /ENOENT/);
  t.false(err.message.includes(secret));
});

test('static sources stay usable over many hours (unknown expiry is re-read hourly)', async (t) => {
  const clock = { t: Date.UTC(2026, 0, 1) };
  const env: Record<string, string> = { YC_IAM_TOKEN: 'a' };
  const p = make(t, { kind: 'iam-token', tokenEnv: 'YC_IAM_TOKEN', tokenFile: null }, env, clock);
  t.is(await p.get(live()), 'a');
  env['YC_IAM_TOKEN'] = 'b';
  clock.t += hour - 1;
  t.is(await p.get(live()), 'a', 'cached within the hour');
  clock.t += 1;
  t.is(await p.get(live()), 'b', 're-read after an hour');
});
