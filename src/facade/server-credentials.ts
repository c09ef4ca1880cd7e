import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

/** TLS files of the facade: absolute paths of PEM files. */
export interface FacadeTls {
  readonly cert: string;
  readonly key: string;
  /** CA bundle that client certificates must chain to; null = no client certificates (plain TLS). */
  readonly clientCa: string | null;
}

/**
 * Server credentials: plaintext only when `tls` is null; TLS with the given key pair; and
 * mutual TLS (a client certificate signed by `clientCa` is required) when `clientCa` is set.
 * @throws Error naming the setting and file that cannot be read.
 */
export function serverCredentials(tls: FacadeTls | null): grpc.ServerCredentials {
  if (tls === null) return grpc.ServerCredentials.createInsecure();
  const cert = readPem('facade.tls.cert', tls.cert);
  const key = readPem('facade.tls.key', tls.key);
  const ca = tls.clientCa === null ? null : readPem('facade.tls.client_ca', tls.clientCa);
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

function readPem(setting: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${setting}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
