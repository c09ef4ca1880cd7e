import test, { type ExecutionContext } from 'ava';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AuthError } from '../src/upstream/auth/auth-error.js';
import { createTokenProvider, type AuthInput, type TokenProvider } from '../src/upstream/auth/create-token-provider.js';
import { oauthDeprecationWarning } from '../src/upstream/auth/oauth-token-source.js';
import { FakeClock, IamServer, makeServiceAccount, writeAuthorizedKey } from './helpers/iam-server.js';
import { tempDir } from './helpers/temp-dir.js';

const minute = 60_000;
const hour = 60 * minute;
const keyId = 'ajekeyid0000000000';
const serviceAccountId = 'ajesaid00000000000';
const oauthToken = 'y0_AgAAAABtestoauthtokenvaluexxxxxxxxxxxxxxxxxx';

const account = makeServiceAccount(keyId, serviceAccountId);
const pem = account.privatePem;
const pemLines = account.pemBodyLines;

interface Setup {
  clock: FakeClock;
  iam: IamServer;
  dir: string;
  keyFile: string;
  warnings: string[];
  provider: (auth?: Partial<AuthInput> & { kind?: AuthInput['kind'] }, env?: Record<string, string>) => TokenProvider;
}

async function setup(t: ExecutionContext, publicKey: KeyObject = account.publicKey): Promise<Setup> {
  const clock = new FakeClock();
  const iam = await IamServer.start({ account: { ...account, publicKey }, now: clock.now, oauthTokens: [oauthToken] });
  t.teardown(() => iam.stop());
  const dir = tempDir(t);
  const keyFile = path.join(dir, 'authorized_key.json');
  writeAuthorizedKey(keyFile, account);
  const warnings: string[] = [];
  const provider: Setup['provider'] = (auth, env = {}) => {
    const input = (auth ?? { kind: 'service-account-key', keyFile, iamEndpoint: iam.address }) as AuthInput;
    const p = createTokenProvider(input, {
      tls: false,
      caFile: null,
      timeoutMs: 5_000,
      env,
      now: clock.now,
      warn: (m) => warnings.push(m),
      cache: { sleep: clock.sleep, random: () => 0.5 },
    });
    t.teardown(() => p.close());
    return p;
  };
  return { clock, iam, dir, keyFile, warnings, provider };
}

/** Asserts that none of the secrets seen in the test appears in `text`. */
function assertNoSecret(t: ExecutionContext, iam: IamServer, text: string): void {
  const secrets = [...iam.secrets(), oauthToken, ...pemLines];
  for (const secret of secrets) {
    if (secret.length > 0) t.false(text.includes(secret), `secret leaked into: ${text}`);
  }
}

const live = (): AbortSignal => new AbortController().signal;

async function token(p: TokenProvider): Promise<string> {
  const value = await p.get(live());
  if (value === null) throw new Error('expected a token');
  return value;
}

test('service-account key: 48 hours with 45-minute tokens, refreshed ahead, never expired', async (t) => {
  const { clock, iam, provider } = await setup(t);
  iam.lifetimeMs = 45 * minute;
  const p = provider();
  const end = clock.t + 48 * hour;
  const distinct = new Set<string>();
  while (clock.t < end) {
    const value = await token(p);
    t.true(iam.accepts(value), `expired token at ${new Date(clock.t).toISOString()}`);
    distinct.add(value);
    clock.t += 3 * minute;
  }
  t.deepEqual(iam.rejections, [], 'every JWT verified');
  // Refreshed 10 minutes before expiry: about every 35 minutes, never every get (960 gets).
  t.true(iam.calls >= (48 * 60) / 45 && iam.calls <= (48 * 60) / 30, `${iam.calls} exchanges`);
  t.is(distinct.size, iam.calls);
});

test('service-account key: 12-hour tokens are refreshed hourly', async (t) => {
  const { clock, iam, provider } = await setup(t);
  iam.lifetimeMs = 12 * hour;
  const p = provider();
  const end = clock.t + 48 * hour;
  while (clock.t < end) {
    t.true(iam.accepts(await token(p)));
    clock.t += 5 * minute;
  }
  t.true(iam.calls >= 48 && iam.calls <= 49, `${iam.calls} exchanges`);
  t.deepEqual(iam.rejections, []);
});

test('service-account key: 50 concurrent get() calls make one exchange', async (t) => {
  const { clock, iam, provider } = await setup(t);
  const p = provider();
  const first = await Promise.all(Array.from({ length: 50 }, () => token(p)));
  t.is(new Set(first).size, 1);
  t.is(iam.calls, 1);
  clock.t += 40 * minute;
  const second = await Promise.all(Array.from({ length: 50 }, () => token(p)));
  t.is(new Set(second).size, 1);
  t.not(second[0], first[0]);
  t.is(iam.calls, 2);
});

test('IAM outage while the token is valid: old token kept, attempts spaced, new token after recovery', async (t) => {
  const { clock, iam, provider } = await setup(t);
  iam.lifetimeMs = 12 * hour;
  const p = provider();
  const original = await token(p);
  clock.t += hour;
  iam.failing = { code: grpc.status.UNAVAILABLE, details: 'try again in a few seconds' };
  let gets = 0;
  const callsBefore = iam.calls;
  for (const end = clock.t + 2 * hour; clock.t < end; clock.t += 10_000) {
    t.is(await token(p), original);
    gets += 1;
  }
  const attempts = iam.calls - callsBefore;
  t.true(attempts >= 2, `${attempts} attempts`);
  t.true(attempts <= gets / 3, `${attempts} attempts for ${gets} gets: hammering`);
  iam.failing = null;
  let renewed = original;
  for (let step = 0; step < 8 && renewed === original; step += 1) {
    clock.t += 10_000;
    renewed = await token(p);
  }
  t.not(renewed, original, 'a new token within the longest backoff pause');
  t.true(iam.accepts(renewed));
});

test('IAM outage past the token expiry: get() fails naming the source, then recovers', async (t) => {
  const { clock, iam, keyFile, provider } = await setup(t);
  iam.lifetimeMs = 45 * minute;
  const p = provider();
  const original = await token(p);
  clock.t += 30 * minute;
  iam.failing = { code: grpc.status.UNAVAILABLE, details: 'try again in a few seconds' };
  const errors: AuthError[] = [];
  for (const end = clock.t + hour; clock.t < end; clock.t += 20_000) {
    try {
      const value = await token(p);
      t.is(value, original);
      t.true(iam.accepts(value));
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      errors.push(err);
    }
  }
  t.true(errors.length > 0);
  for (const err of errors) {
    t.true(err.message.includes(keyFile), err.message);
    t.true(err.message.includes(iam.address), err.message);
    t.regex(err.message, /UNAVAILABLE/);
    t.true(err.retryable);
    assertNoSecret(t, iam, err.message);
  }
  iam.failing = null;
  const renewed = await token(p);
  t.not(renewed, original);
  t.true(iam.accepts(renewed));
});

test('IAM error details are redacted: no JWT or token from the server reaches the message', async (t) => {
  const { iam, provider } = await setup(t);
  const p = provider();
  const first = await token(p);
  p.invalidate();
  const jwt = iam.jwts[0] ?? '';
  iam.failing = { code: grpc.status.UNAUTHENTICATED, details: `Token is invalid or has expired: jwt=${jwt} token=${first}` };
  const err = await t.throwsAsync(p.get(live()), { instanceOf: AuthError });
  t.regex(err.message, /UNAUTHENTICATED/);
  t.regex(err.message, /Token is invalid or has expired/);
  t.false(err.retryable);
  assertNoSecret(t, iam, err.message);
  assertNoSecret(t, iam, String(err.stack));
});

test('a key the IAM service does not know is refused; the error names the source, not the key', async (t) => {
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const { iam, keyFile, provider } = await setup(t, stranger);
  const err = await t.throwsAsync(provider().get(live()), { instanceOf: AuthError });
  t.deepEqual(iam.rejections, ['bad signature']);
  t.true(err.message.includes(keyFile));
  t.regex(err.message, /UNAUTHENTICATED/);
  assertNoSecret(t, iam, err.message);
});

test('invalidate() after UNAUTHENTICATED makes the next get() exchange again', async (t) => {
  const { iam, provider } = await setup(t);
  const p = provider();
  const first = await token(p);
  p.invalidate(first);
  const second = await token(p);
  t.not(second, first);
  t.is(iam.calls, 2);
});

test('key file problems are reported by file and field, without key material', async (t) => {
  const { iam, dir, provider } = await setup(t);
  const missing = path.join(dir, 'nope.json');
  const cases: Array<[string, string | null, RegExp]> = [
    [missing, null, /cannot read key file .*nope\.json \(ENOENT\)/],
    [path.join(dir, 'no-sa.json'), JSON.stringify({ id: keyId, private_key: pem }), /field "service_account_id"/],
    [path.join(dir, 'no-key.json'), JSON.stringify({ id: keyId, service_account_id: serviceAccountId }), /field "private_key"/],
    [path.join(dir, 'pem.json'), pem, /not valid JSON/],
  ];
  for (const [file, content, expected] of cases) {
    if (content !== null) writeFileSync(file, content);
    const err = await t.throwsAsync(provider({ kind: 'service-account-key', keyFile: file, iamEndpoint: iam.address }).get(live()), { instanceOf: AuthError });
    t.regex(err.message, expected);
    t.true(err.message.includes(file));
    t.false(err.retryable);
    assertNoSecret(t, iam, err.message);
  }
  t.is(iam.calls, 0);
});

test('an unreachable IAM endpoint gives a retryable error naming the endpoint', async (t) => {
  const { iam, provider } = await setup(t);
  iam.stop();
  const err = await t.throwsAsync(provider().get(live()), { instanceOf: AuthError });
  const address = iam.address;
  t.true(err.message.includes(address));
  t.regex(err.message, /UNAVAILABLE|DEADLINE_EXCEEDED/);
  t.true(err.retryable);
});

test('an unreadable caFile is reported at creation, naming the file', async (t) => {
  const { iam, keyFile } = await setup(t);
  const err = t.throws(() =>
    createTokenProvider({ kind: 'service-account-key', keyFile, iamEndpoint: iam.address }, { tls: true, caFile: '/nonexistent/ca.pem', timeoutMs: 1_000, env: {} }),
  );
  t.regex(err.message, /caFile \/nonexistent\/ca\.pem/);
});

test('oauth: warns about the 2026 retirement, exchanges the env token, never shows it', async (t) => {
  const { clock, iam, warnings, provider } = await setup(t);
  const p = provider({ kind: 'oauth', tokenEnv: 'YC_OAUTH', iamEndpoint: iam.address }, { YC_OAUTH: `${oauthToken}\n` });
  t.deepEqual(warnings, [oauthDeprecationWarning]);
  t.regex(warnings[0] ?? '', /end of 2026/);
  const value = await token(p);
  t.true(iam.accepts(value));
  t.deepEqual(iam.oauthSeen, [oauthToken]);
  clock.t += 40 * minute;
  t.not(await token(p), value, 'refreshed like any IAM token');
  for (const w of warnings) assertNoSecret(t, iam, w);
});

test('oauth: a missing variable is named; a wrong token is refused without being shown', async (t) => {
  const { iam, provider } = await setup(t);
  const missing = await t.throwsAsync(provider({ kind: 'oauth', tokenEnv: 'YC_OAUTH', iamEndpoint: iam.address }, {}).get(live()), { instanceOf: AuthError });
  t.regex(missing.message, /environment variable YC_OAUTH is not set or empty/);
  const wrongToken = 'y0_AgAAAABwrongwrongwrongwrongwrongwrongwrong';
  const wrong = await t.throwsAsync(provider({ kind: 'oauth', tokenEnv: 'YC_OAUTH', iamEndpoint: iam.address }, { YC_OAUTH: wrongToken }).get(live()), { instanceOf: AuthError });
  t.regex(wrong.message, /UNAUTHENTICATED/);
  t.regex(wrong.message, /YC_OAUTH/);
  t.false(wrong.message.includes(wrongToken));
  assertNoSecret(t, iam, wrong.message);
});

test('TLS: the IAM exchange trusts caFile; without it a self-signed server is refused', async (t) => {
  const dir = tempDir(t);
  const certFile = path.join(dir, 'cert.pem');
  const keyPemFile = path.join(dir, 'key.pem');
  // A throwaway self-signed certificate for the loopback address (needs the openssl CLI).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPemFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  const clock = new FakeClock();
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(certFile), private_key: readFileSync(keyPemFile) }]);
  const iam = await IamServer.start({ account, now: clock.now, credentials });
  t.teardown(() => iam.stop());
  const keyFile = path.join(dir, 'authorized_key.json');
  writeAuthorizedKey(keyFile, account);
  // By name, not IP: TLS server names must not be IP addresses (RFC 6066).
  const auth: AuthInput = { kind: 'service-account-key', keyFile, iamEndpoint: iam.address.replace('127.0.0.1', 'localhost') };
  const deps = { tls: true, timeoutMs: 5_000, env: {}, now: clock.now, cache: { sleep: clock.sleep } };

  const trusted = createTokenProvider(auth, { ...deps, caFile: certFile });
  t.teardown(() => trusted.close());
  t.true(iam.accepts(await token(trusted)));

  const untrusted = createTokenProvider(auth, { ...deps, caFile: null });
  t.teardown(() => untrusted.close());
  const err = await t.throwsAsync(untrusted.get(live()), { instanceOf: AuthError });
  t.regex(err.message, /UNAVAILABLE/);
  t.is(iam.calls, 1, 'the untrusted client never reached the service');
});
