import type { AuthConfig, AuthKind } from './config.js';
import { Problem, type Section } from './field-reader.js';

/** Default IAM token service for key and OAuth exchanges. */
export const defaultIamEndpoint = 'iam.api.cloud.yandex.net:443';
/** Default token URL of the VM metadata service (GCE-compatible). */
export const defaultMetadataUrl = 'http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token';

const kinds: readonly AuthKind[] = ['none', 'iam-token', 'service-account-key', 'metadata', 'oauth'];

/** The keys each kind accepts besides `kind`; any other kind's key is an error. */
const kindKeys: Readonly<Record<AuthKind, readonly string[]>> = {
  none: [],
  'iam-token': ['token_env', 'token_file'],
  'service-account-key': ['key_file', 'iam_endpoint'],
  metadata: ['metadata_url'],
  oauth: ['token_env', 'iam_endpoint'],
};

const kindSpecificKeys = [...new Set(Object.values(kindKeys).flat())];

/** Every key `upstream.auth` may hold, for the unknown-key check. */
export const authKeys: readonly string[] = ['kind', ...kindSpecificKeys];

/** Reads `upstream.auth` (see AuthConfig); defaults to `{ kind: 'none' }`. */
export function readAuth(s: Section): AuthConfig {
  const kind = s.oneOf('kind', kinds, 'none');
  rejectOtherKindsKeys(s, kind);
  switch (kind) {
    case 'none':
      return { kind };
    case 'iam-token':
      return readIamToken(s);
    case 'service-account-key':
      return { kind, keyFile: s.path('key_file'), iamEndpoint: s.endpoint('iam_endpoint', defaultIamEndpoint) };
    case 'metadata':
      return { kind, metadataUrl: s.string('metadata_url', defaultMetadataUrl, checkHttpUrl) };
    case 'oauth':
      return { kind, tokenEnv: s.string('token_env', undefined, checkEnvName), iamEndpoint: s.endpoint('iam_endpoint', defaultIamEndpoint) };
  }
}

function rejectOtherKindsKeys(s: Section, kind: AuthKind): void {
  for (const key of kindSpecificKeys) {
    if (kindKeys[kind].includes(key) || !s.has(key)) continue;
    const owners = kinds.filter((k) => kindKeys[k].includes(key)).map((k) => `"${k}"`);
    s.fail(key, `not allowed when ${s.keyPath('kind')} is "${kind}" (it belongs to kind ${owners.join(' or ')})`);
  }
}

function readIamToken(s: Section): AuthConfig {
  const either = `set exactly one of ${s.keyPath('token_env')} or ${s.keyPath('token_file')}`;
  if (s.has('token_env') && s.has('token_file')) s.fail('token_file', `${either}, not both`);
  if (s.has('token_env')) {
    return { kind: 'iam-token', tokenEnv: s.string('token_env', undefined, checkEnvName), tokenFile: null };
  }
  if (s.has('token_file')) return { kind: 'iam-token', tokenEnv: null, tokenFile: s.path('token_file') };
  return s.fail('token_env', `required: ${either}`);
}

/** Names the variable holding a token; the token itself never appears in the config. */
function checkEnvName(text: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) throw new Problem('must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*)');
}

function checkHttpUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Problem('must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Problem('must be an http:// or https:// URL');
}
