import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startEmulator, type Emulator } from '../src/emulator/start-emulator.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import type { PassOutcome } from '../src/sync/sync-folder.js';
import { syncFolders } from '../src/sync/sync-folders.js';
import { createTokenProvider, type AuthInput } from '../src/upstream/auth/create-token-provider.js';
import { BackupClient } from '../src/upstream/backup-client.js';
import { FakeClock, IamServer, makeServiceAccount, writeAuthorizedKey } from './helpers/iam-server.js';
import { tempDir } from './helpers/temp-dir.js';
import { seededRandom } from './helpers/seeded-random.js';

// The client's token cache, the IAM server, the metadata server and the emulator's catalog
// all run on one fake clock; the emulator accepts a token only while its issuer says it
// is still valid at that fake time. Upstream calls themselves are real gRPC on loopback.

const minute = 60_000;
const hour = 60 * minute;
const account = makeServiceAccount();


interface Rig {
  readonly clock: FakeClock;
  readonly emulator: Emulator;
  readonly store: MirrorStore;
  readonly dir: string;
  /** Tokens the emulator refused (UNAUTHENTICATED answers). */
  readonly refused: string[];
  /** Every token the emulator was shown, in order. */
  readonly presented: string[];
  /** What the emulator currently accepts. */
  accept: (token: string) => boolean;
  /** A client whose tokens come from `auth`, on the fake clock. */
  client(auth: AuthInput, env?: Record<string, string>): BackupClient;
  /** Moves the fake clock (and the emulator's catalog time) forward. */
  advance(ms: number): void;
  /** One pass over every folder. */
  pass(client: BackupClient, concurrency?: number): Promise<PassOutcome[]>;
}

async function rig(t: ExecutionContext, folders = 1): Promise<Rig> {
  const clock = new FakeClock();
  const refused: string[] = [];
  const presented: string[] = [];
  let accept: (token: string) => boolean = () => false;
  const emulator = await startEmulator({
    folders,
    clustersPerFolder: 2,
    start: clock.t,
    acceptToken: (token) => {
      presented.push(token);
      const ok = accept(token);
      if (!ok) refused.push(token);
      return ok;
    },
  });
  const dir = tempDir(t);
  const store = MirrorStore.open(path.join(dir, 'mirror.db'));
  t.teardown(async () => {
    store.close();
    await emulator.close();
  });
  const r: Rig = {
    clock,
    emulator,
    store,
    dir,
    refused,
    presented,
    get accept() {
      return accept;
    },
    set accept(fn) {
      accept = fn;
    },
    client(auth, env = {}) {
      const tokens = createTokenProvider(auth, {
        tls: false,
        caFile: null,
        timeoutMs: 5_000,
        env,
        now: clock.now,
        warn: () => undefined,
        cache: { sleep: clock.sleep, random: () => 0.5 },
      });
      const client = new BackupClient({
        endpoint: emulator.address,
        tls: false,
        caFile: null,
        timeoutMs: 5_000,
        retry: { maxAttempts: 1, initialBackoffMs: 1, maxBackoffMs: 5 },
        tokens,
      });
      t.teardown(() => {
        client.close();
        tokens.close();
      });
      return client;
    },
    advance(ms) {
      clock.t += ms;
    },
    pass(client, concurrency = 4) {
      // The token cache may have slept (moving the fake clock): the catalog follows.
      emulator.clock.set(clock.t);
      return syncFolders(store, client, emulator.folderIds, {
        pageSize: 100,
        confirmRemovals: true,
        concurrency,
        passTimeoutMs: 60_000,
        signal: new AbortController().signal,
      });
    },
  };
  return r;
}

/** An IAM server on the rig's clock issuing `lifetimeMs` tokens, and the emulator accepting only its live tokens. */
async function withIam(t: ExecutionContext, r: Rig, lifetimeMs: number): Promise<{ iam: IamServer; auth: AuthInput }> {
  const iam = await IamServer.start({ account, now: r.clock.now, lifetimeMs });
  t.teardown(() => iam.stop());
  const keyFile = path.join(r.dir, 'sa-key.json');
  writeAuthorizedKey(keyFile, account);
  r.accept = (token) => iam.accepts(token);
  return { iam, auth: { kind: 'service-account-key', keyFile, iamEndpoint: iam.address } };
}

function failures(outcomes: PassOutcome[]): string[] {
  return outcomes.filter((o) => !o.ok).map((o) => o.error ?? '');
}

test('service-account key: 24 hours of passes at random intervals with 20-minute tokens never send an expired token', async (t) => {
  const r = await rig(t);
  const { iam, auth } = await withIam(t, r, 20 * minute);
  const client = r.client(auth);
  const random = seededRandom(7);
  let passes = 0;
  let changes = 0;
  for (const end = r.clock.t + 24 * hour; r.clock.t < end; r.advance(Math.floor((2 + random() * 14) * minute))) {
    const outcomes = await r.pass(client);
    t.deepEqual(failures(outcomes), [], `pass at ${new Date(r.clock.t).toISOString()}`);
    changes += outcomes.reduce((n, o) => n + o.added + o.removed, 0);
    passes += 1;
  }
  t.deepEqual(r.refused, [], 'the emulator never answered UNAUTHENTICATED');
  t.deepEqual(iam.rejections, [], 'every JWT verified: PS256 salt 32, kid, iss, aud, exp - iat <= 3600');
  const lifetimes = (24 * hour) / (20 * minute);
  t.true(iam.calls >= lifetimes && iam.calls <= passes, `${iam.calls} exchanges in ${passes} passes`);
  t.is(new Set(r.presented).size, iam.calls, 'every token issued was used');
  t.true(changes > 0, 'the catalog churned across the days');
  t.true(r.store.verify().ok);
});

test('one refresh for many concurrent calls: 16 folders at once, then 40 concurrent List calls', async (t) => {
  const r = await rig(t, 16);
  const { iam, auth } = await withIam(t, r, 20 * minute);
  const client = r.client(auth);
  t.deepEqual(failures(await r.pass(client, 16)), []);
  t.is(iam.calls, 1, 'the first 16 concurrent folder passes shared one exchange');
  r.advance(15 * minute); // past the refresh point (10 minutes before expiry)
  t.deepEqual(failures(await r.pass(client, 16)), []);
  t.is(iam.calls, 2);
  r.advance(15 * minute);
  const listCalls = r.emulator.stats.calls.List;
  const folders = r.emulator.folderIds;
  const pages = await Promise.all(
    Array.from({ length: 40 }, (_, i) => client.listPage(folders[i % folders.length] ?? '', 5, '', new AbortController().signal)),
  );
  t.is(pages.length, 40);
  t.is(r.emulator.stats.calls.List - listCalls, 40);
  t.is(iam.calls, 3, '40 concurrent calls, one refresh');
  t.deepEqual(r.refused, []);
});

test('IAM outage longer than a token: passes go on while the token lives, fail cleanly after, recover when IAM returns', async (t) => {
  const r = await rig(t);
  const { iam, auth } = await withIam(t, r, 20 * minute);
  const client = r.client(auth);
  t.deepEqual(failures(await r.pass(client)), []);
  r.advance(5 * minute);
  iam.fail({ code: grpc.status.UNAVAILABLE, details: 'Service is unavailable, try again in a few seconds' });
  const callsBefore = iam.calls;
  let okDuring = 0;
  const errors: string[] = [];
  let passes = 0;
  for (const end = r.clock.t + hour; r.clock.t < end; r.advance(3 * minute)) {
    const head = r.store.headSequence();
    const outcomes = await r.pass(client);
    passes += 1;
    const failed = failures(outcomes);
    if (failed.length === 0) okDuring += 1;
    else t.is(r.store.headSequence(), head, 'a failed pass commits nothing');
    errors.push(...failed);
  }
  t.true(okDuring >= 3, `${okDuring} passes went on with the still-valid token`);
  t.true(errors.length > 0, 'passes failed once the token had expired');
  for (const error of errors) {
    t.regex(error, /cannot obtain an IAM token from service account key .* via IAM 127\.0\.0\.1:\d+: IamTokenService\.Create failed with UNAVAILABLE/);
    for (const secret of [...iam.secrets(), ...account.pemBodyLines]) t.false(error.includes(secret));
  }
  const attempts = iam.calls - callsBefore;
  t.true(attempts >= 2 && attempts <= passes, `${attempts} IAM attempts in ${passes} passes: spaced, not hammering`);

  iam.failing = null;
  r.advance(3 * minute);
  t.deepEqual(failures(await r.pass(client)), [], 'recovered on the first pass after the outage');
  for (let i = 0; i < 10; i++) {
    r.advance(7 * minute);
    t.deepEqual(failures(await r.pass(client)), []);
  }
  t.deepEqual(r.refused, [], 'no expired token was ever sent, during the outage or after');
  t.deepEqual(iam.rejections, []);
  t.true(r.store.verify().ok);
});

test('UNAUTHENTICATED from the cloud (token revoked) forces one refresh and one retry, and the pass commits', async (t) => {
  const r = await rig(t);
  const { iam, auth } = await withIam(t, r, 12 * hour);
  const client = r.client(auth);
  t.deepEqual(failures(await r.pass(client)), []);
  const revoked = iam.lastIssued ?? '';
  t.is(iam.calls, 1);
  r.accept = (token) => token !== revoked && iam.accepts(token);
  r.advance(minute);
  r.emulator.stats.reset();
  const outcomes = await r.pass(client, 1);
  t.deepEqual(failures(outcomes), []);
  t.deepEqual(r.refused, [revoked], 'refused once');
  t.is(iam.calls, 2, 'one refresh');
  const pages = outcomes.reduce((n, o) => n + o.pages, 0);
  t.is(r.emulator.stats.calls.List, pages + 1, 'one retry');
  t.not(iam.lastIssued, revoked);
});

test('iam-token token_file: the file is re-read after it changes; only the new token is sent after rotation', async (t) => {
  const r = await rig(t);
  const tokenFile = path.join(r.dir, 'iam-token');
  let current = `t1.${randomBytes(32).toString('base64url')}`;
  writeFileSync(tokenFile, `${current}\n`);
  r.accept = (token) => token === current;
  const client = r.client({ kind: 'iam-token', tokenEnv: null, tokenFile });
  t.deepEqual(failures(await r.pass(client)), []);
  for (let rotation = 0; rotation < 5; rotation++) {
    const old = current;
    current = `t1.${randomBytes(32).toString('base64url')}`;
    writeFileSync(tokenFile, `${current}\n`); // a mounted secret renewed in place
    r.advance(30 * minute);
    const from = r.presented.length;
    t.deepEqual(failures(await r.pass(client)), [], `pass after rotation ${rotation}`);
    const sent = new Set(r.presented.slice(from));
    t.deepEqual([...sent], [current], 'only the new token after rotation');
    t.false(sent.has(old));
  }
  t.deepEqual(r.refused, []);
});

/** A node:http VM metadata service on the fake clock: renews its token hourly, tokens live 12 h. */
async function metadataServer(t: ExecutionContext, clock: FakeClock): Promise<{ url: string; issued: Map<string, number>; requests: () => number }> {
  const issued = new Map<string, number>();
  let held: { token: string; at: number; expiresAt: number } | null = null;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    if (req.headers['metadata-flavor'] !== 'Google') {
      res.writeHead(403).end('Metadata-Flavor header required');
      return;
    }
    if (held === null || clock.t - held.at >= hour) {
      held = { token: `t1.${randomBytes(48).toString('base64url')}`, at: clock.t, expiresAt: clock.t + 12 * hour };
      issued.set(held.token, held.expiresAt);
    }
    const body = { access_token: held.token, expires_in: Math.floor((held.expiresAt - clock.t) / 1000), token_type: 'Bearer' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/computeMetadata/v1/instance/service-accounts/default/token`, issued, requests: () => requests };
}

test('metadata service: 36 hours of passes follow its hourly renewals, never stale after 12 hours', async (t) => {
  const r = await rig(t);
  const meta = await metadataServer(t, r.clock);
  r.accept = (token) => {
    const expiresAt = meta.issued.get(token);
    return expiresAt !== undefined && expiresAt > r.clock.t;
  };
  const client = r.client({ kind: 'metadata', metadataUrl: meta.url });
  let passes = 0;
  for (const end = r.clock.t + 36 * hour; r.clock.t < end; r.advance(25 * minute)) {
    t.deepEqual(failures(await r.pass(client)), [], `pass at ${new Date(r.clock.t).toISOString()}`);
    passes += 1;
  }
  t.deepEqual(r.refused, []);
  // Refreshed hourly: with passes 25 minutes apart, at every third pass (75 minutes).
  t.true(meta.issued.size >= 25, `${meta.issued.size} tokens renewed by the service`);
  t.is(new Set(r.presented).size, meta.issued.size, 'the client followed every renewal');
  t.true(meta.requests() >= 25 && meta.requests() <= passes, `${meta.requests()} metadata requests`);
});
