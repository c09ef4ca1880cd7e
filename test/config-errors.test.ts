import test from 'ava';
import { ConfigError } from '../src/config/config-error.js';
import { parseConfig } from '../src/config/load-config.js';

const folders = ['b1gfolder'];

interface Case {
  /** Test title. */
  readonly name: string;
  readonly raw: unknown;
  readonly env?: NodeJS.ProcessEnv;
  /** ConfigError.key, also the start of the message. */
  readonly key: string;
  /** What else the message says. */
  readonly message: RegExp;
}

/** Error cases, each naming the key (or environment variable) at fault. */
const cases: readonly Case[] = [
  // Unknown keys at every level, with a suggestion where one is close.
  { name: 'unknown top-level key', raw: { folders, folder: ['x'] }, key: 'folder', message: /^unknown key "folder" \(did you mean "folders"\?\)$/ },
  { name: 'unknown top-level key, no suggestion', raw: { folders, zzz: 1 }, key: 'zzz', message: /^unknown key "zzz"$/ },
  { name: 'unknown key in upstream', raw: { folders, upstream: { pagesize: 10 } }, key: 'upstream.pagesize', message: /^unknown key "upstream.pagesize" \(did you mean "upstream.page_size"\?\)$/ },
  { name: 'camelCase key', raw: { folders, upstream: { pageSize: 10 } }, key: 'upstream.pageSize', message: /did you mean "upstream.page_size"/ },
  { name: 'unknown key in upstream.retry', raw: { folders, upstream: { retry: { attempts: 3 } } }, key: 'upstream.retry.attempts', message: /^unknown key "upstream.retry.attempts"/ },
  { name: 'unknown key in upstream.auth', raw: { folders, upstream: { auth: { kind: 'none', password: 'x' } } }, key: 'upstream.auth.password', message: /^unknown key "upstream.auth.password"$/ },
  { name: 'unknown key in store', raw: { folders, store: { file: 'x.db' } }, key: 'store.file', message: /^unknown key "store.file"/ },
  { name: 'unknown key in sync', raw: { folders, sync: { parallelism: 2 } }, key: 'sync.parallelism', message: /^unknown key "sync.parallelism"/ },
  { name: 'unknown key in metrics', raw: { folders, metrics: { port: 1 } }, key: 'metrics.port', message: /^unknown key "metrics.port"/ },
  { name: 'unknown key in facade', raw: { folders, facade: { address: 'x' } }, key: 'facade.address', message: /^unknown key "facade.address"/ },
  { name: 'unknown key in facade.tls', raw: { folders, facade: { tls: { cert: 'c', key: 'k', ca: 'x' } } }, key: 'facade.tls.ca', message: /^unknown key "facade.tls.ca"/ },
  { name: 'unknown key in log', raw: { folders, log: { format: 'json' } }, key: 'log.format', message: /^unknown key "log.format"/ },
  { name: 'unknown key in emulator', raw: { folders, emulator: { speed: 2 } }, key: 'emulator.speed', message: /^unknown key "emulator.speed"/ },

  // Wrong types.
  { name: 'section that is a list', raw: { folders, upstream: [1] }, key: 'upstream', message: /: must be a mapping of keys \(got a list\)$/ },
  { name: 'section that is a scalar', raw: { folders, sync: 'fast' }, key: 'sync', message: /: must be a mapping of keys \(got "fast"\)$/ },
  { name: 'YAML 1.1 boolean word', raw: { folders, upstream: { tls: 'yes' } }, key: 'upstream.tls', message: /: must be true or false \(got "yes"\)$/ },
  { name: 'null boolean', raw: { folders, sync: { run_on_start: null } }, key: 'sync.run_on_start', message: /: must be true or false \(got null\)$/ },
  { name: 'quoted integer', raw: { folders, upstream: { page_size: '1000' } }, key: 'upstream.page_size', message: /: must be an integer between 1 and 1000 \(got "1000"\)$/ },
  { name: 'fractional integer', raw: { folders, sync: { concurrency: 1.5 } }, key: 'sync.concurrency', message: /: must be an integer between 1 and 64 \(got 1.5\)$/ },
  { name: 'numeric store path', raw: { folders, store: { path: 5 } }, key: 'store.path', message: /: must be a string \(got 5\)$/ },
  { name: 'empty store path', raw: { folders, store: { path: '' } }, key: 'store.path', message: /: must not be empty$/ },
  { name: 'numeric schedule', raw: { folders, schedule: 5 }, key: 'schedule', message: /: must be a string \(got 5\)$/ },
  { name: 'unknown log level', raw: { folders, log: { level: 'verbose' } }, key: 'log.level', message: /: must be one of debug, info, warn, error \(got "verbose"\)$/ },
  { name: 'unknown auth kind', raw: { folders, upstream: { auth: { kind: 'password' } } }, key: 'upstream.auth.kind', message: /: must be one of none, iam-token, service-account-key, metadata, oauth \(got "password"\)$/ },

  // Out of range.
  { name: 'page_size 0', raw: { folders, upstream: { page_size: 0 } }, key: 'upstream.page_size', message: /: must be an integer between 1 and 1000 \(got 0\)$/ },
  { name: 'page_size 1001', raw: { folders, upstream: { page_size: 1001 } }, key: 'upstream.page_size', message: /between 1 and 1000 \(got 1001\)$/ },
  { name: 'concurrency 65', raw: { folders, sync: { concurrency: 65 } }, key: 'sync.concurrency', message: /between 1 and 64 \(got 65\)$/ },
  { name: 'max_attempts 0', raw: { folders, upstream: { retry: { max_attempts: 0 } } }, key: 'upstream.retry.max_attempts', message: /between 1 and 100 \(got 0\)$/ },
  { name: 'emulator folders 0', raw: { folders, emulator: { folders: 0 } }, key: 'emulator.folders', message: /between 1 and 100 \(got 0\)$/ },
  { name: 'negative seed', raw: { folders, emulator: { seed: -1 } }, key: 'emulator.seed', message: /between 0 and 4294967295 \(got -1\)$/ },

  // Durations.
  { name: 'bare number duration', raw: { folders, upstream: { timeout: 10 } }, key: 'upstream.timeout', message: /: must be a duration string with a unit, like "500ms", "10s", "5m" or "1h" \(got 10\)$/ },
  { name: 'malformed duration', raw: { folders, upstream: { timeout: '10x' } }, key: 'upstream.timeout', message: /: invalid duration "10x": expected <number><unit>/ },
  { name: 'unitless duration string', raw: { folders, sync: { pass_timeout: '600' } }, key: 'sync.pass_timeout', message: /: invalid duration "600": missing unit/ },
  { name: 'zero timeout', raw: { folders, sync: { pass_timeout: '0s' } }, key: 'sync.pass_timeout', message: /: must be between 1ms and 596h \(got "0s"\)$/ },
  { name: 'duration past the timer limit', raw: { folders, upstream: { timeout: '700h' } }, key: 'upstream.timeout', message: /: must be between 1ms and 596h \(got "700h"\)$/ },
  { name: 'days are not a unit', raw: { folders, emulator: { day_every: '1d' } }, key: 'emulator.day_every', message: /invalid duration "1d"/ },
  { name: 'negative backoff', raw: { folders, upstream: { retry: { initial_backoff: '-1s' } } }, key: 'upstream.retry.initial_backoff', message: /invalid duration "-1s"/ },
  { name: 'max_backoff below initial_backoff', raw: { folders, upstream: { retry: { initial_backoff: '2s', max_backoff: '1s' } } }, key: 'upstream.retry.max_backoff', message: /: must be at least upstream.retry.initial_backoff \(2s\) \(got 1s\)$/ },

  // Cron.
  { name: 'cron field out of range', raw: { folders, schedule: '61 * * * *' }, key: 'schedule', message: /: must be a cron expression of 5 fields, or 6 with seconds first: .*minute \(got "61 \* \* \* \*"\)$/ },
  { name: 'cron words', raw: { folders, schedule: 'every 5 minutes' }, key: 'schedule', message: /must be a cron expression/ },
  { name: 'cron with 7 fields', raw: { folders, schedule: '* * * * * * *' }, key: 'schedule', message: /expected 5 or 6 fields but got 7/ },
  { name: 'empty cron', raw: { folders, schedule: '' }, key: 'schedule', message: /: must not be empty$/ },

  // Addresses.
  { name: 'listen without host', raw: { folders, metrics: { listen: '9464' } }, key: 'metrics.listen', message: /: invalid address "9464": missing port/ },
  { name: 'listen as a number', raw: { folders, metrics: { listen: 9464 } }, key: 'metrics.listen', message: /: must be a "host:port" string \(got 9464\)$/ },
  { name: 'unbracketed IPv6 listen', raw: { folders, facade: { listen: '::1:50051' } }, key: 'facade.listen', message: /IPv6 addresses must be in brackets/ },
  { name: 'listen port too large', raw: { folders, facade: { listen: '127.0.0.1:65536' } }, key: 'facade.listen', message: /port must be a number 0\.\.65535/ },
  { name: 'endpoint without port', raw: { folders, upstream: { endpoint: 'mdb.api.cloud.yandex.net' } }, key: 'upstream.endpoint', message: /missing port/ },
  { name: 'endpoint port 0', raw: { folders, upstream: { endpoint: 'localhost:0' } }, key: 'upstream.endpoint', message: /: port must be between 1 and 65535 \(got "localhost:0"\)$/ },
  { name: 'endpoint as URL', raw: { folders, upstream: { endpoint: 'https://mdb.api.cloud.yandex.net:443' } }, key: 'upstream.endpoint', message: /not a host name or IP address/ },
  { name: 'bad iam_endpoint', raw: { folders, upstream: { auth: { kind: 'oauth', token_env: 'T', iam_endpoint: 'iam' } } }, key: 'upstream.auth.iam_endpoint', message: /missing port/ },

  // Auth keys of the wrong kind, and token sources.
  { name: 'key_file with iam-token', raw: { folders, upstream: { auth: { kind: 'iam-token', token_env: 'T', key_file: 'k.json' } } }, key: 'upstream.auth.key_file', message: /: not allowed when upstream.auth.kind is "iam-token" \(it belongs to kind "service-account-key"\)$/ },
  { name: 'token_env with kind none', raw: { folders, upstream: { auth: { token_env: 'T' } } }, key: 'upstream.auth.token_env', message: /not allowed when upstream.auth.kind is "none" \(it belongs to kind "iam-token" or "oauth"\)/ },
  { name: 'iam_endpoint with metadata', raw: { folders, upstream: { auth: { kind: 'metadata', iam_endpoint: 'x:1' } } }, key: 'upstream.auth.iam_endpoint', message: /not allowed when upstream.auth.kind is "metadata"/ },
  { name: 'token_file with oauth', raw: { folders, upstream: { auth: { kind: 'oauth', token_env: 'T', token_file: 'f' } } }, key: 'upstream.auth.token_file', message: /not allowed when upstream.auth.kind is "oauth"/ },
  { name: 'metadata_url with service-account-key', raw: { folders, upstream: { auth: { kind: 'service-account-key', key_file: 'k', metadata_url: 'http://x' } } }, key: 'upstream.auth.metadata_url', message: /not allowed/ },
  { name: 'both token_env and token_file', raw: { folders, upstream: { auth: { kind: 'iam-token', token_env: 'T', token_file: 'f' } } }, key: 'upstream.auth.token_file', message: /: set exactly one of upstream.auth.token_env or upstream.auth.token_file, not both$/ },
  { name: 'neither token_env nor token_file', raw: { folders, upstream: { auth: { kind: 'iam-token' } } }, key: 'upstream.auth.token_env', message: /: required: set exactly one of upstream.auth.token_env or upstream.auth.token_file$/ },
  { name: 'service-account-key without key_file', raw: { folders, upstream: { auth: { kind: 'service-account-key' } } }, key: 'upstream.auth.key_file', message: /: required$/ },
  { name: 'oauth without token_env', raw: { folders, upstream: { auth: { kind: 'oauth' } } }, key: 'upstream.auth.token_env', message: /: required$/ },
  { name: 'token_env that is not a variable name', raw: { folders, upstream: { auth: { kind: 'iam-token', token_env: 'MY-TOKEN' } } }, key: 'upstream.auth.token_env', message: /must be an environment variable name/ },
  { name: 'metadata_url not http', raw: { folders, upstream: { auth: { kind: 'metadata', metadata_url: 'ftp://host/token' } } }, key: 'upstream.auth.metadata_url', message: /must be an http:\/\/ or https:\/\/ URL/ },

  // Cross-key rules.
  { name: 'ca_file without TLS', raw: { folders, upstream: { tls: false, ca_file: 'ca.pem' } }, key: 'upstream.ca_file', message: /: only applies when upstream.tls is true$/ },
  { name: 'TLS cert without key', raw: { folders, facade: { tls: { cert: 'c.pem' } } }, key: 'facade.tls.key', message: /: required when facade.tls.cert is set$/ },
  { name: 'TLS key without cert', raw: { folders, facade: { tls: { key: 'k.pem', client_ca: 'ca.pem' } } }, key: 'facade.tls.cert', message: /: required when facade.tls.key is set$/ },
  { name: 'empty TLS mapping', raw: { folders, facade: { tls: {} } }, key: 'facade.tls.cert', message: /set facade.tls to null for plaintext/ },

  // Folders.
  { name: 'missing folders', raw: {}, key: 'folders', message: /^folders: required$/ },
  { name: 'empty file', raw: null, key: 'folders', message: /^folders: required$/ },
  { name: 'null folders without the emulator', raw: { folders: null }, key: 'folders', message: /must be a list of folder ids \(got null\)$/ },
  { name: 'empty folders without the emulator', raw: { folders: [] }, key: 'folders', message: /must list at least one folder id/ },
  { name: 'folders as a string', raw: { folders: 'b1ga' }, key: 'folders', message: /must be a list of folder ids \(got "b1ga"\)$/ },
  { name: 'upper-case folder id', raw: { folders: ['b1ga', 'B1GB'] }, key: 'folders[1]', message: /^folders\[1\]: must be a folder id of 1 to 50 characters a-z, 0-9 \(got "B1GB"\)$/ },
  { name: 'numeric folder id', raw: { folders: [123] }, key: 'folders[0]', message: /\(got 123\)$/ },
  { name: 'folder id too long', raw: { folders: ['a'.repeat(51)] }, key: 'folders[0]', message: /must be a folder id of 1 to 50/ },
  { name: 'duplicate folder id', raw: { folders: ['b1ga', 'b1gb', 'b1ga'] }, key: 'folders[2]', message: /^folders\[2\]: duplicate folder id \(got "b1ga"\)$/ },

  // Environment overrides name the variable.
  { name: 'bad RBM_LOG_LEVEL', raw: { folders }, env: { RBM_LOG_LEVEL: 'verbose' }, key: 'RBM_LOG_LEVEL', message: /^RBM_LOG_LEVEL: must be one of debug, info, warn, error \(got "verbose"\)$/ },
  { name: 'bad RBM_METRICS_LISTEN', raw: { folders }, env: { RBM_METRICS_LISTEN: '0.0.0.0' }, key: 'RBM_METRICS_LISTEN', message: /^RBM_METRICS_LISTEN: invalid address "0.0.0.0": missing port/ },
  { name: 'bad RBM_FACADE_LISTEN', raw: { folders }, env: { RBM_FACADE_LISTEN: ':::50051' }, key: 'RBM_FACADE_LISTEN', message: /^RBM_FACADE_LISTEN: invalid address/ },
  { name: 'empty RBM_STORE_PATH', raw: { folders }, env: { RBM_STORE_PATH: '' }, key: 'RBM_STORE_PATH', message: /^RBM_STORE_PATH: must not be empty$/ },

  // The top level.
  { name: 'top level is a list', raw: [folders], key: '', message: /^the top level must be a mapping of keys \(got a list\)$/ },
  { name: 'top level is a scalar', raw: 'folders', key: '', message: /^the top level must be a mapping of keys \(got "folders"\)$/ },
];

for (const c of cases) {
  test(`ConfigError: ${c.name}`, (t) => {
    const error = t.throws(() => parseConfig(c.raw, { baseDir: '/etc/rbm', env: c.env ?? {} }), { instanceOf: ConfigError });
    t.is(error.name, 'ConfigError');
    if (c.key === '') {
      t.is(error.key, undefined);
    } else {
      t.is(error.key, c.key);
      t.true(error.message.startsWith(`${c.key}: `) || error.message.startsWith(`unknown key "${c.key}"`), error.message);
    }
    t.regex(error.message, c.message);
  });
}

test('file-value errors are prefixed with the source, environment errors are not', (t) => {
  const opts = { baseDir: '/etc/rbm', source: 'rbm.yaml' };
  const fileError = t.throws(() => parseConfig({ folders, sync: { concurrency: 0 } }, opts), { instanceOf: ConfigError });
  t.is(fileError.message, 'rbm.yaml: sync.concurrency: must be an integer between 1 and 64 (got 0)');
  t.is(fileError.source, 'rbm.yaml');
  const unknown = t.throws(() => parseConfig({ folders, sink: {} }, opts), { instanceOf: ConfigError });
  t.is(unknown.message, 'rbm.yaml: unknown key "sink" (did you mean "sync"?)');
  const envError = t.throws(() => parseConfig({ folders }, { ...opts, env: { RBM_LOG_LEVEL: 'loud' } }), { instanceOf: ConfigError });
  t.is(envError.message, 'RBM_LOG_LEVEL: must be one of debug, info, warn, error (got "loud")');
  t.is(envError.source, undefined);
});

test('an environment override is validated even when the file value is fine', (t) => {
  const error = t.throws(
    () => parseConfig({ folders, metrics: { listen: '127.0.0.1:9464' } }, { baseDir: '/', env: { RBM_METRICS_LISTEN: 'nope' } }),
    { instanceOf: ConfigError },
  );
  t.is(error.key, 'RBM_METRICS_LISTEN');
});

test('the emulator token never appears in an error', (t) => {
  const error = t.throws(() => parseConfig({ folders, emulator: { token: 123456789 } }, { baseDir: '/' }), { instanceOf: ConfigError });
  t.is(error.message, 'emulator.token: must be a string');
  t.false(error.message.includes('123456789'));
});

test('unknown keys are reported before bad values in the same section', (t) => {
  const error = t.throws(() => parseConfig({ folders, upstream: { page_size: 0, timout: '1s' } }, { baseDir: '/' }), {
    instanceOf: ConfigError,
  });
  t.is(error.message, 'unknown key "upstream.timout" (did you mean "upstream.timeout"?)');
});
