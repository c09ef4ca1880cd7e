import test from 'ava';
import type { Config } from '../src/config/config.js';
import { parseConfig } from '../src/config/load-config.js';

const baseDir = '/etc/rbm';

/** Every default, for a file that only lists one folder. */
const defaults: Config = {
  folders: ['b1gfolder'],
  schedule: '*/5 * * * *',
  upstream: {
    endpoint: 'mdb.api.cloud.yandex.net:443',
    tls: true,
    caFile: null,
    pageSize: 1000,
    timeoutMs: 10_000,
    retry: { maxAttempts: 5, initialBackoffMs: 250, maxBackoffMs: 10_000 },
    auth: { kind: 'none' },
  },
  store: { path: '/etc/rbm/data/mirror.db' },
  sync: { runOnStart: true, concurrency: 4, confirmRemovals: true, passTimeoutMs: 600_000 },
  metrics: { listen: { host: '127.0.0.1', port: 9464 } },
  facade: { listen: { host: '127.0.0.1', port: 50051 }, tls: null },
  log: { level: 'info' },
  emulator: { enabled: false, folders: 3, clusters: 5, seed: 1, dayEveryMs: 30_000, token: null },
};

test('defaults fill every omitted key', (t) => {
  t.deepEqual(parseConfig({ folders: ['b1gfolder'] }, { baseDir }), defaults);
});

test('null sections (all children commented out) read as defaults', (t) => {
  const raw = { folders: ['b1gfolder'], upstream: null, store: null, sync: null, metrics: null, facade: null, log: null, emulator: null };
  t.deepEqual(parseConfig(raw, { baseDir }), defaults);
});

test('explicit values are converted: durations to ms, addresses to host/port', (t) => {
  const config = parseConfig(
    {
      folders: ['b1ga', 'b1gb'],
      schedule: '*/10 * * * * *',
      upstream: {
        endpoint: '[::1]:8443',
        tls: false,
        page_size: 1,
        timeout: '1m30s',
        retry: { max_attempts: 1, initial_backoff: '0ms', max_backoff: '0s' },
      },
      sync: { run_on_start: false, concurrency: 64, confirm_removals: false, pass_timeout: '1h' },
      metrics: { listen: '[::1]:0' },
      facade: { listen: '0.0.0.0:6000' },
      log: { level: 'debug' },
      emulator: { enabled: true, folders: 1, clusters: 0, seed: 42, day_every: null, token: 's3cret' },
    },
    { baseDir },
  );
  t.deepEqual(config.folders, ['b1ga', 'b1gb']);
  t.is(config.schedule, '*/10 * * * * *');
  t.deepEqual(config.upstream, {
    endpoint: '[::1]:8443',
    tls: false,
    caFile: null,
    pageSize: 1,
    timeoutMs: 90_000,
    retry: { maxAttempts: 1, initialBackoffMs: 0, maxBackoffMs: 0 },
    auth: { kind: 'none' },
  });
  t.deepEqual(config.sync, { runOnStart: false, concurrency: 64, confirmRemovals: false, passTimeoutMs: 3_600_000 });
  t.deepEqual(config.metrics.listen, { host: '::1', port: 0 });
  t.deepEqual(config.facade.listen, { host: '0.0.0.0', port: 6000 });
  t.is(config.log.level, 'debug');
  t.deepEqual(config.emulator, { enabled: true, folders: 1, clusters: 0, seed: 42, dayEveryMs: null, token: 's3cret' });
});

test('relative paths resolve against baseDir, absolute ones and :memory: are kept', (t) => {
  const config = parseConfig(
    {
      folders: ['b1ga'],
      store: { path: '../var/mirror.db' },
      upstream: { ca_file: 'roots.pem', auth: { kind: 'service-account-key', key_file: '/keys/sa.json' } },
      facade: { tls: { cert: 'tls/server.pem', key: './tls/server.key', client_ca: 'ca.pem' } },
    },
    { baseDir },
  );
  t.is(config.store.path, '/etc/var/mirror.db');
  t.is(config.upstream.caFile, '/etc/rbm/roots.pem');
  t.deepEqual(config.upstream.auth, {
    kind: 'service-account-key',
    keyFile: '/keys/sa.json',
    iamEndpoint: 'iam.api.cloud.yandex.net:443',
  });
  t.deepEqual(config.facade.tls, {
    cert: '/etc/rbm/tls/server.pem',
    key: '/etc/rbm/tls/server.key',
    clientCa: '/etc/rbm/ca.pem',
  });
  t.is(parseConfig({ folders: ['b1ga'], store: { path: ':memory:' } }, { baseDir }).store.path, ':memory:');
});

test('each auth kind reads its keys with defaults', (t) => {
  const auth = (a: unknown): Config['upstream']['auth'] =>
    parseConfig({ folders: ['b1ga'], upstream: { auth: a } }, { baseDir }).upstream.auth;
  t.deepEqual(auth({ kind: 'none' }), { kind: 'none' });
  t.deepEqual(auth(null), { kind: 'none' });
  t.deepEqual(auth({ kind: 'iam-token', token_env: 'YC_TOKEN' }), { kind: 'iam-token', tokenEnv: 'YC_TOKEN', tokenFile: null });
  t.deepEqual(auth({ kind: 'iam-token', token_file: 'token' }), { kind: 'iam-token', tokenEnv: null, tokenFile: '/etc/rbm/token' });
  t.deepEqual(auth({ kind: 'service-account-key', key_file: 'k.json', iam_endpoint: 'localhost:4443' }), {
    kind: 'service-account-key',
    keyFile: '/etc/rbm/k.json',
    iamEndpoint: 'localhost:4443',
  });
  t.deepEqual(auth({ kind: 'metadata' }), {
    kind: 'metadata',
    metadataUrl: 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token',
  });
  t.deepEqual(auth({ kind: 'metadata', metadata_url: 'http://127.0.0.1:8080/token' }), {
    kind: 'metadata',
    metadataUrl: 'http://127.0.0.1:8080/token',
  });
  t.deepEqual(auth({ kind: 'oauth', token_env: 'YC_OAUTH' }), {
    kind: 'oauth',
    tokenEnv: 'YC_OAUTH',
    iamEndpoint: 'iam.api.cloud.yandex.net:443',
  });
});

test('folders may be omitted, null or empty only when the emulator is enabled', (t) => {
  for (const folders of [undefined, null, []]) {
    const config = parseConfig({ folders, emulator: { enabled: true } }, { baseDir });
    t.deepEqual(config.folders, []);
  }
  t.deepEqual(parseConfig({ folders: ['b1ga'], emulator: { enabled: true } }, { baseDir }).folders, ['b1ga']);
});

test('environment overrides replace file values', (t) => {
  const config = parseConfig(
    { folders: ['b1ga'], metrics: { listen: '127.0.0.1:1' }, facade: { listen: '127.0.0.1:2' }, store: { path: 'file.db' }, log: { level: 'warn' } },
    {
      baseDir,
      cwd: '/work/dir',
      env: {
        RBM_METRICS_LISTEN: '0.0.0.0:9464',
        RBM_FACADE_LISTEN: '[::]:50051',
        RBM_STORE_PATH: 'data/env.db',
        RBM_LOG_LEVEL: 'error',
        UNRELATED: 'x',
      },
    },
  );
  t.deepEqual(config.metrics.listen, { host: '0.0.0.0', port: 9464 });
  t.deepEqual(config.facade.listen, { host: '::', port: 50051 });
  t.is(config.store.path, '/work/dir/data/env.db', 'relative to the working directory, not the config dir');
  t.is(config.log.level, 'error');
});

test('environment overrides apply to omitted keys too, and an absolute store path is kept', (t) => {
  const config = parseConfig({ folders: ['b1ga'] }, { baseDir, env: { RBM_STORE_PATH: '/data/mirror.db', RBM_LOG_LEVEL: 'debug' } });
  t.is(config.store.path, '/data/mirror.db');
  t.is(config.log.level, 'debug');
});

test('without env, process variables are not consulted', (t) => {
  const previous = process.env['RBM_LOG_LEVEL'];
  process.env['RBM_LOG_LEVEL'] = 'debug';
  t.teardown(() => {
    if (previous === undefined) delete process.env['RBM_LOG_LEVEL'];
    else process.env['RBM_LOG_LEVEL'] = previous;
  });
  t.is(parseConfig({ folders: ['b1ga'] }, { baseDir }).log.level, 'info');
});

function assertDeeplyFrozen(t: { true: (v: boolean, m?: string) => void }, value: unknown, at: string): void {
  if (typeof value !== 'object' || value === null) return;
  t.true(Object.isFrozen(value), `${at} is frozen`);
  for (const [key, child] of Object.entries(value)) assertDeeplyFrozen(t, child, `${at}.${key}`);
}

test('the result is deeply frozen', (t) => {
  const config = parseConfig(
    {
      folders: ['b1ga'],
      upstream: { auth: { kind: 'iam-token', token_env: 'T' } },
      facade: { tls: { cert: 'c.pem', key: 'k.pem' } },
    },
    { baseDir },
  );
  assertDeeplyFrozen(t, config, 'config');
  t.throws(() => {
    (config.upstream.retry as { maxAttempts: number }).maxAttempts = 9;
  }, { instanceOf: TypeError });
  t.throws(() => {
    (config.folders as string[]).push('b1gb');
  }, { instanceOf: TypeError });
  t.throws(() => {
    (config.metrics.listen as { port: number }).port = 1;
  }, { instanceOf: TypeError });
});

test('the raw input is not mutated or frozen', (t) => {
  const raw = { folders: ['b1ga'], sync: { concurrency: 2 } };
  parseConfig(raw, { baseDir });
  t.false(Object.isFrozen(raw));
  t.false(Object.isFrozen(raw.folders));
  t.deepEqual(raw, { folders: ['b1ga'], sync: { concurrency: 2 } });
});
