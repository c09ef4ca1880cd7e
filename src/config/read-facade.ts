import type { FacadeConfig, FacadeTlsConfig } from './config.js';
import type { Section } from './field-reader.js';

const facadeKeys = ['listen', 'tls'];
const tlsKeys = ['cert', 'key', 'client_ca'];

/** Reads `facade`: listen address (default 127.0.0.1:50051) and optional (m)TLS. */
export function readFacade(root: Section): FacadeConfig {
  const s = root.section('facade', facadeKeys);
  const listen = s.listen('listen', '127.0.0.1:50051');
  const tls = s.nullableSection('tls', tlsKeys);
  return { listen, tls: tls === null ? null : readTls(tls) };
}

function readTls(s: Section): FacadeTlsConfig {
  // Name the missing half, so "cert and key required together" points at the right key.
  if (!s.has('cert') && !s.has('key')) {
    s.fail('cert', `required with ${s.keyPath('key')} (set ${s.name} to null for plaintext)`);
  }
  if (!s.has('key')) s.fail('key', `required when ${s.keyPath('cert')} is set`);
  if (!s.has('cert')) s.fail('cert', `required when ${s.keyPath('key')} is set`);
  return { cert: s.path('cert'), key: s.path('key'), clientCa: s.nullablePath('client_ca') };
}
