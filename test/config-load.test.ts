import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError } from '../src/config/config-error.js';
import { envOverrideKeys } from '../src/config/env-overrides.js';
import { loadConfig, parseConfig } from '../src/config/load-config.js';
import { tempDir } from './helpers/temp-dir.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const defaultYaml = path.join(repoRoot, 'config', 'default.yaml');
const demoYaml = path.join(repoRoot, 'config', 'demo.yaml');

/** Writes `text` as config.yaml in a fresh temp dir and returns its path. */
function writeConfig(t: Parameters<typeof tempDir>[0], text: string): string {
  const file = path.join(tempDir(t), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

test('config/default.yaml loads and states exactly the defaults', (t) => {
  const config = loadConfig(defaultYaml, {});
  t.deepEqual(config.folders, ['b1gexample0000000000']);
  t.is(config.store.path, path.join(repoRoot, 'config', 'data', 'mirror.db'));
  // Every value written out in the file is the built-in default.
  t.deepEqual(config, parseConfig({ folders: ['b1gexample0000000000'] }, { baseDir: path.dirname(defaultYaml) }));
});

test('config/default.yaml writes out every key and documents the environment overrides', (t) => {
  const text = readFileSync(defaultYaml, 'utf8');
  const raw: unknown = parse(text);
  const keys = (value: unknown, prefix = ''): string[] =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keys(v, `${prefix}${k}.`)])
      : [];
  t.deepEqual(keys(raw).sort(), [
    'emulator', 'emulator.clusters', 'emulator.day_every', 'emulator.enabled', 'emulator.folders', 'emulator.seed', 'emulator.token',
    'facade', 'facade.listen', 'facade.tls',
    'folders',
    'log', 'log.level',
    'metrics', 'metrics.listen',
    'schedule',
    'store', 'store.path',
    'sync', 'sync.concurrency', 'sync.confirm_removals', 'sync.pass_timeout', 'sync.run_on_start',
    'upstream', 'upstream.auth', 'upstream.auth.kind', 'upstream.ca_file', 'upstream.endpoint', 'upstream.page_size',
    'upstream.retry', 'upstream.retry.initial_backoff', 'upstream.retry.max_attempts', 'upstream.retry.max_backoff',
    'upstream.timeout', 'upstream.tls',
  ]);
  // Keys only set for some auth kinds or with TLS appear in comments.
  for (const key of ['token_env', 'token_file', 'key_file', 'iam_endpoint', 'metadata_url', 'cert:', 'key:', 'client_ca']) {
    t.true(text.includes(key), key);
  }
  for (const name of Object.keys(envOverrideKeys)) t.true(text.includes(name), name);
});

test('config/demo.yaml loads: emulator 3 x 5, a pass every 5 s, store in <repo>/data', (t) => {
  const config = loadConfig(demoYaml, {});
  t.deepEqual(config.folders, []);
  t.is(config.schedule, '*/5 * * * * *');
  t.is(config.upstream.tls, false);
  t.is(config.store.path, path.join(repoRoot, 'data', 'mirror.db'));
  t.deepEqual(config.metrics.listen, { host: '127.0.0.1', port: 9464 });
  t.deepEqual(config.facade.listen, { host: '127.0.0.1', port: 50051 });
  t.deepEqual(config.emulator, { enabled: true, folders: 3, clusters: 5, seed: 1, dayEveryMs: 30_000, token: null });
  t.true(Object.isFrozen(config.emulator));
});

test('environment overrides apply to a loaded file', (t) => {
  const config = loadConfig(demoYaml, {
    RBM_METRICS_LISTEN: '0.0.0.0:9464',
    RBM_FACADE_LISTEN: '0.0.0.0:50051',
    RBM_STORE_PATH: '/data/mirror.db',
    RBM_LOG_LEVEL: 'warn',
  });
  t.deepEqual(config.metrics.listen, { host: '0.0.0.0', port: 9464 });
  t.deepEqual(config.facade.listen, { host: '0.0.0.0', port: 50051 });
  t.is(config.store.path, '/data/mirror.db');
  t.is(config.log.level, 'warn');
  const error = t.throws(() => loadConfig(demoYaml, { RBM_LOG_LEVEL: 'trace' }), { instanceOf: ConfigError });
  t.true(error.message.startsWith('RBM_LOG_LEVEL: '), error.message);
});

test('relative paths resolve against the config file directory, not the working directory', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\nstore:\n  path: state/mirror.db\n');
  t.is(loadConfig(file, {}).store.path, path.join(path.dirname(file), 'state', 'mirror.db'));
});

test('a missing file is a ConfigError naming the path', (t) => {
  const file = path.join(tempDir(t), 'nope.yaml');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.is(error.message, `cannot read config file ${JSON.stringify(file)}: no such file`);
});

test('a directory instead of a file is a ConfigError naming the path', (t) => {
  const dir = tempDir(t);
  const error = t.throws(() => loadConfig(dir, {}), { instanceOf: ConfigError });
  t.true(error.message.startsWith(`cannot read config file ${JSON.stringify(dir)}: `), error.message);
});

test('a YAML syntax error is a ConfigError naming the file and line', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\nsync:\n  concurrency: [1, 2\nlog: {}\n');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.regex(error.message, new RegExp(`^${escape(file)}:\\d+:\\d+: invalid YAML: `));
  t.false(error.message.includes('\n'), 'one line');
});

test('a duplicate key is a ConfigError naming the file and its line', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\nlog:\n  level: info\n  level: debug\n');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.regex(error.message, new RegExp(`^${escape(file)}:4:3: invalid YAML: Map keys must be unique`));
});

test('several YAML documents in one file are refused', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\n---\nfolders: [b1gb]\n');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.regex(error.message, new RegExp(`^${escape(file)}:2:1: invalid YAML: `));
});

test('value errors from a file name the file and the key', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\nupstream:\n  page_size: 0\n');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.is(error.message, `${file}: upstream.page_size: must be an integer between 1 and 1000 (got 0)`);
  t.is(error.key, 'upstream.page_size');
});

test('an empty file needs folders', (t) => {
  const file = writeConfig(t, '# nothing yet\n');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.is(error.message, `${file}: folders: required`);
});

test('YAML 1.2 core schema: yes/no and unquoted numbers are not coerced', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\nsync:\n  run_on_start: no\n');
  const error = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.regex(error.message, /sync\.run_on_start: must be true or false \(got "no"\)$/);
});

test('files named by the config must be readable', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, 'folders: [b1ga]\nfacade:\n  tls:\n    cert: server.pem\n    key: server.key\n');
  writeFileSync(path.join(dir, 'server.pem'), 'cert');
  const missing = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.is(missing.key, 'facade.tls.key');
  t.is(missing.message, `${file}: facade.tls.key: cannot read ${JSON.stringify(path.join(dir, 'server.key'))} (ENOENT)`);

  mkdirSync(path.join(dir, 'server.key'));
  const directory = t.throws(() => loadConfig(file, {}), { instanceOf: ConfigError });
  t.regex(directory.message, /facade\.tls\.key: cannot read .* \(not a file\)$/);

  const keyFile = writeConfig(t, 'folders: [b1ga]\nupstream:\n  auth:\n    kind: service-account-key\n    key_file: sa.json\n');
  const saMissing = t.throws(() => loadConfig(keyFile, {}), { instanceOf: ConfigError });
  t.is(saMissing.key, 'upstream.auth.key_file');
});

test('the variable holding a token must be set, and its value is never shown', (t) => {
  const file = writeConfig(t, 'folders: [b1ga]\nupstream:\n  auth:\n    kind: iam-token\n    token_env: YC_TOKEN\n');
  for (const env of [{}, { YC_TOKEN: '' }]) {
    const error = t.throws(() => loadConfig(file, env), { instanceOf: ConfigError });
    t.is(error.message, `${file}: upstream.auth.token_env: environment variable YC_TOKEN is not set`);
  }
  const config = loadConfig(file, { YC_TOKEN: 't1.secret' });
  t.deepEqual(config.upstream.auth, { kind: 'iam-token', tokenEnv: 'YC_TOKEN', tokenFile: null });
  t.false(JSON.stringify(config).includes('t1.secret'));
});

test('with the emulator enabled, unused upstream credentials are not checked', (t) => {
  const file = writeConfig(
    t,
    'emulator:\n  enabled: true\nupstream:\n  ca_file: roots.pem\n  auth:\n    kind: oauth\n    token_env: YC_OAUTH\n',
  );
  const config = loadConfig(file, {});
  t.is(config.upstream.auth.kind, 'oauth');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
