import test from 'ava';
import { generateKeyPairSync, verify, constants, type KeyObject } from 'node:crypto';
import { AuthError } from '../src/upstream/auth/auth-error.js';
import { parseAuthorizedKey } from '../src/upstream/auth/authorized-key.js';
import { redactSecrets } from '../src/upstream/auth/redact.js';
import { iamTokenAudience, signJwt } from '../src/upstream/auth/sign-jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The cloud's key files carry this line before the PEM block. */
const cloudPem = `PLEASE DO NOT REMOVE THIS LINE! Yandex.Cloud SA Key ID <ajekeyid0000000000>\n${pem}`;
const pemBody = pem.split('\n')[5] ?? 'unreachable';

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

function verifyPs256(jwt: string, key: KeyObject, saltLength: number): boolean {
  const [h, c, s] = jwt.split('.');
  return verify('sha256', Buffer.from(`${h}.${c}`), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(s ?? '', 'base64url'));
}

test('signJwt produces a PS256 JWT with kid, iss, aud, iat and exp = iat + 3600', (t) => {
  const nowMs = Date.UTC(2026, 4, 1, 12, 0, 0, 750);
  const jwt = signJwt({ keyId: 'ajekey', serviceAccountId: 'ajesa', privateKey, nowMs });
  const [h, c] = jwt.split('.');
  t.deepEqual(decodePart(h), { typ: 'JWT', alg: 'PS256', kid: 'ajekey' });
  const iat = Math.floor(nowMs / 1000);
  t.deepEqual(decodePart(c), { iss: 'ajesa', aud: iamTokenAudience, iat, exp: iat + 3600 });
  t.is(iamTokenAudience, 'https://iam.api.cloud.yandex.net/iam/v1/tokens');
  t.true(verifyPs256(jwt, publicKey, 32), 'verifies with PSS salt length 32');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  t.false(verifyPs256(jwt, other, 32), 'does not verify with another key');
});

test('signJwt caps the lifetime at one hour', (t) => {
  const jwt = signJwt({ keyId: 'k', serviceAccountId: 's', privateKey, nowMs: 1_000_000, lifetimeSeconds: 7200 });
  const claims = decodePart(jwt.split('.')[1]);
  t.is(Number(claims['exp']) - Number(claims['iat']), 3600);
  const short = signJwt({ keyId: 'k', serviceAccountId: 's', privateKey, nowMs: 1_000_000, lifetimeSeconds: 600 });
  const shortClaims = decodePart(short.split('.')[1]);
  t.is(Number(shortClaims['exp']) - Number(shortClaims['iat']), 600);
});

test('parseAuthorizedKey reads a cloud key file, including the "do not remove" line', (t) => {
  const doc = { id: 'ajekey', service_account_id: 'ajesa', created_at: '2026-01-01T00:00:00Z', key_algorithm: 'RSA_2048', private_key: cloudPem };
  const key = parseAuthorizedKey(JSON.stringify(doc), 'key.json');
  t.is(key.keyId, 'ajekey');
  t.is(key.serviceAccountId, 'ajesa');
  const jwt = signJwt({ ...key, nowMs: Date.now() });
  t.true(verifyPs256(jwt, publicKey, 32));
});

const bad: Array<[string, string, RegExp]> = [
  ['missing id', JSON.stringify({ service_account_id: 's', private_key: pem }), /field "id"/],
  ['missing service_account_id', JSON.stringify({ id: 'k', private_key: pem }), /field "service_account_id"/],
  ['missing private_key', JSON.stringify({ id: 'k', service_account_id: 's' }), /field "private_key"/],
  ['private_key not a string', JSON.stringify({ id: 'k', service_account_id: 's', private_key: 42 }), /field "private_key"/],
  ['private_key garbage', JSON.stringify({ id: 'k', service_account_id: 's', private_key: `-----BEGIN PRIVATE KEY-----\n${pemBody}\n-----END PRIVATE KEY-----` }), /field "private_key" is not a PEM private key/],
  ['not JSON (a bare PEM)', pem, /not valid JSON/],
  ['a JSON array', '[]', /expected a JSON object/],
];

for (const [name, text, expected] of bad) {
  test(`parseAuthorizedKey: ${name} -> clear error without key material`, (t) => {
    const err = t.throws(() => parseAuthorizedKey(text, '/etc/mirror/key.json'), { instanceOf: AuthError });
    t.regex(err.message, expected);
    t.regex(err.message, /\/etc\/mirror\/key\.json/);
    t.false(err.message.includes(pemBody), 'no key material');
    t.false(err.message.includes('BEGIN'), 'no PEM header');
    t.false(err.retryable);
  });
}

test('parseAuthorizedKey rejects a non-RSA key', (t) => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const err = t.throws(() => parseAuthorizedKey(JSON.stringify({ id: 'k', service_account_id: 's', private_key: ec }), 'k.json'));
  t.regex(err.message, /not an RSA key/);
});

test('redactSecrets removes tokens, JWTs and PEM blocks but keeps ordinary words', (t) => {
  const jwt = signJwt({ keyId: 'k', serviceAccountId: 's', privateKey, nowMs: 0 });
  const iam = 't1.9euelZqSnJqVkseKx5qRzZGTk8yJnZKJmZqXn5uSkpqWzc2ck';
  const oauth = 'y0_AgAAAAAAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
  const text = `Token is invalid or has expired: ${iam} jwt=${jwt} oauth ${oauth}\n${pem}`;
  const out = redactSecrets(text, 10_000);
  for (const secret of [iam, jwt, oauth, pemBody, jwt.split('.')[2] ?? '']) t.false(out.includes(secret));
  t.true(out.startsWith('Token is invalid or has expired:'));
  t.true(redactSecrets('x'.repeat(500)).length <= 201);
});
