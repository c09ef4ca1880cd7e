import { createPrivateKey, type KeyObject } from 'node:crypto';
import { AuthError } from './auth-error.js';

/** The parts of a service account's authorized key (`yc iam key create` output) the mirror uses. */
export interface AuthorizedKey {
  /** Key id, sent as the JWT header's `kid`. */
  readonly keyId: string;
  /** Service account id, sent as the JWT's `iss`. */
  readonly serviceAccountId: string;
  /** The RSA private key (a secret: never log or export it). */
  readonly privateKey: KeyObject;
}

function requiredString(doc: Record<string, unknown>, field: string, label: string): string {
  const value = doc[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AuthError(`${label}: field "${field}" is missing or not a non-empty string`, false);
  }
  return value;
}

/**
 * Parses an authorized-key JSON document (`id`, `service_account_id`, `private_key`, …).
 * `label` names the document in errors (usually the file path). Errors name the missing
 * or bad field and never quote the document: JSON.parse and OpenSSL messages can echo
 * input, so they are replaced with our own words.
 */
export function parseAuthorizedKey(text: string, label: string): AuthorizedKey {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AuthError(`${label}: not valid JSON (expected an authorized key from "yc iam key create")`, false);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AuthError(`${label}: expected a JSON object`, false);
  }
  const record = doc as Record<string, unknown>;
  const keyId = requiredString(record, 'id', label);
  const serviceAccountId = requiredString(record, 'service_account_id', label);
  const pem = requiredString(record, 'private_key', label);
  let privateKey: KeyObject;
  try {
    // The cloud prefixes the PEM with a "PLEASE DO NOT REMOVE THIS LINE!" line; OpenSSL skips it.
    privateKey = createPrivateKey(pem);
  } catch {
    throw new AuthError(`${label}: field "private_key" is not a PEM private key`, false);
  }
  if (privateKey.asymmetricKeyType !== 'rsa' && privateKey.asymmetricKeyType !== 'rsa-pss') {
    throw new AuthError(`${label}: field "private_key" is not an RSA key (PS256 needs RSA)`, false);
  }
  return { keyId, serviceAccountId, privateKey };
}
