import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError } from '../src/upstream/auth/auth-error.js';
import { createTokenProvider, type TokenProvider } from '../src/upstream/auth/create-token-provider.js';

const minute = 60_000;
const hour = 60 * minute;
const tokenPath = '/computeMetadata/v1/instance/service-accounts/default/token';

class FakeClock {
  t = Date.UTC(2026, 5, 1);
  now = (): number => this.t;
  sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    this.t += ms;
    return Promise.resolve();
  };
}

type Mode = { kind: 'ok' } | { kind: 'status'; status: number; body: string } | { kind: 'raw'; body: string };

/**
 * A real node:http metadata service. Like the cloud's, it hands out the token it holds
 * with the *remaining* lifetime in expires_in, and renews its own token every
 * `renewAfterMs` (default one hour); tokens live 12 hours. A client that caches past
 * expires_in goes stale.
 */
class FakeMetadata {
  url = '';
  requests = 0;
  mode: Mode = { kind: 'ok' };
  renewAfterMs = hour;
  readonly issued = new Map<string, number>();
  readonly headers: Array<string | undefined> = [];
  private held: { token: string; issuedAt: number; expiresAt: number } | null = null;
  private readonly server: http.Server;

  constructor(private readonly clock: FakeClock) {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${tokenPath}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  accepts(token: string): boolean {
    const expiresAt = this.issued.get(token);
    return expiresAt !== undefined && expiresAt > this.clock.t;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests += 1;
    const flavor = req.headers['metadata-flavor'];
    this.headers.push(Array.isArray(flavor) ? flavor.join(',') : flavor);
    if (flavor !== 'Google' || req.url !== tokenPath || req.method !== 'GET') {
      res.writeHead(403).end('missing Metadata-Flavor header');
      return;
    }
    if (this.mode.kind === 'status') {
      res.writeHead(this.mode.status, { 'content-type': 'text/plain' }).end(this.mode.body);
      return;
    }
    if (this.mode.kind === 'raw') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(this.mode.body);
      return;
    }
    const now = this.clock.t;
    if (this.held === null || now - this.held.issuedAt >= this.renewAfterMs) {
      this.held = { token: `t1.${randomBytes(48).toString('base64url')}`, issuedAt: now, expiresAt: now + 12 * hour };
      this.issued.set(this.held.token, this.held.expiresAt);
    }
    const body = { access_token: this.held.token, expires_in: Math.floor((this.held.expiresAt - now) / 1000), token_type: 'Bearer' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

async function setup(t: ExecutionContext): Promise<{ clock: FakeClock; meta: FakeMetadata; provider: (url?: string) => TokenProvider }> {
  const clock = new FakeClock();
  const meta = new FakeMetadata(clock);
  await meta.start();
  t.teardown(() => meta.stop());
  const provider = (url = meta.url): TokenProvider => {
    const p = createTokenProvider(
      { kind: 'metadata', metadataUrl: url },
      { tls: false, caFile: null, timeoutMs: 5_000, env: {}, now: clock.now, cache: { sleep: clock.sleep, random: () => 0.5 } },
    );
    t.teardown(() => p.close());
    return p;
  };
  return { clock, meta, provider };
}

const live = (): AbortSignal => new AbortController().signal;

async function token(p: TokenProvider): Promise<string> {
  const value = await p.get(live());
  if (value === null) throw new Error('expected a token');
  return value;
}

test('metadata: 48 hours of fake time, refreshed hourly, never stale (the SDK bug)', async (t) => {
  const { clock, meta, provider } = await setup(t);
  const p = provider();
  const seen = new Set<string>();
  for (const end = clock.t + 48 * hour; clock.t < end; clock.t += 4 * minute) {
    const value = await token(p);
    t.true(meta.accepts(value), `stale token at ${new Date(clock.t).toISOString()}`);
    seen.add(value);
  }
  t.true(meta.headers.every((h) => h === 'Google'), 'Metadata-Flavor: Google on every request');
  t.true(meta.requests >= 48 && meta.requests <= 50, `${meta.requests} requests`);
  t.true(seen.size >= 47, `${seen.size} distinct tokens`);
});

test('metadata: a service handing out its token until 5 minutes before expiry is followed closely', async (t) => {
  const { clock, meta, provider } = await setup(t);
  meta.renewAfterMs = 12 * hour - 5 * minute;
  const p = provider();
  let gets = 0;
  for (const end = clock.t + 48 * hour; clock.t < end; clock.t += minute) {
    const value = await token(p);
    t.true(meta.accepts(value), `stale token at ${new Date(clock.t).toISOString()}`);
    gets += 1;
  }
  t.true(meta.issued.size >= 4, 'the service renewed its token and the client followed');
  t.true(meta.requests <= gets / 10, `${meta.requests} requests for ${gets} gets`);
});

test('metadata: 50 concurrent get() calls make one request', async (t) => {
  const { meta, provider } = await setup(t);
  const p = provider();
  const values = await Promise.all(Array.from({ length: 50 }, () => token(p)));
  t.is(new Set(values).size, 1);
  t.is(meta.requests, 1);
});

test('metadata: HTTP errors and bad answers are reported by URL and status, body not echoed', async (t) => {
  const { meta, provider } = await setup(t);
  const secret = `t1.${randomBytes(40).toString('base64url')}`;
  const cases: Array<[Mode, RegExp, boolean]> = [
    [{ kind: 'status', status: 500, body: `internal error near ${secret}` }, /answered HTTP 500/, true],
    [{ kind: 'status', status: 404, body: 'no service account attached' }, /answered HTTP 404/, false],
    [{ kind: 'raw', body: `{"access_token": "${secret}"` }, /invalid JSON/, true],
    [{ kind: 'raw', body: JSON.stringify({ access_token: secret, token_type: 'Bearer' }) }, /expires_in/, true],
    [{ kind: 'raw', body: JSON.stringify({ expires_in: 100 }) }, /access_token/, true],
    [{ kind: 'raw', body: JSON.stringify({ access_token: secret, expires_in: 3600, token_type: 'MAC' }) }, /token_type/, false],
  ];
  for (const [mode, expected, retryable] of cases) {
    meta.mode = mode;
    const err = await t.throwsAsync(provider().get(live()), { instanceOf: AuthError });
    t.regex(err.message, expected);
    t.true(err.message.includes(`metadata service ${meta.url}`), err.message);
    t.false(err.message.includes(secret), 'no token from the body');
    t.is(err.retryable, retryable, err.message);
  }
});

test('metadata: recovers after the service fails for a while, keeping the valid token', async (t) => {
  const { clock, meta, provider } = await setup(t);
  const p = provider();
  const original = await token(p);
  clock.t += hour;
  meta.mode = { kind: 'status', status: 503, body: 'busy' };
  const before = meta.requests;
  let gets = 0;
  for (const end = clock.t + hour; clock.t < end; clock.t += 15_000) {
    t.is(await token(p), original);
    gets += 1;
  }
  t.true(meta.requests - before <= gets / 2, 'attempts spaced by backoff');
  meta.mode = { kind: 'ok' };
  clock.t += minute;
  const renewed = await token(p);
  t.not(renewed, original);
  t.true(meta.accepts(renewed));
});

test('metadata: an unreachable service and a bad URL are reported clearly', async (t) => {
  const { meta, provider } = await setup(t);
  const url = meta.url;
  await meta.stop();
  const err = await t.throwsAsync(provider(url).get(live()), { instanceOf: AuthError });
  t.regex(err.message, /unreachable \(ECONNREFUSED\)/);
  t.true(err.retryable);
  t.throws(() => provider('ftp://169.254.169.254/token'), { message: /metadataUrl must be http or https/ });
  t.throws(() => provider('not a url'), { message: /metadataUrl is not a valid URL/ });
});

test('metadata: URL user info and query stay out of descriptions', async (t) => {
  const { meta, provider } = await setup(t);
  const p = provider(meta.url.replace('http://', 'http://user:hunter2hunter2@') + '?sig=abc123secret');
  t.false(p.description.includes('hunter2'));
  t.false(p.description.includes('abc123secret'));
});
