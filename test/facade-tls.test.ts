import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import type { WireListBackupsResponse } from '../src/upstream/proto.js';
import { startFacade } from '../src/facade/start-facade.js';
import { silentLogger } from '../src/log/logger.js';
import { CommitSignal } from '../src/mirror/commit-signal.js';
import { MirrorStore } from '../src/store/mirror-store.js';
import { facadeFixture, unary, type FacadeFixture } from './helpers/facade-fixture.js';
import { tempDir } from './helpers/temp-dir.js';

interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA the server does not trust, and a client certificate it signed. */
  readonly otherCaCert: string;
  readonly otherClientCert: string;
  readonly otherClientKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A throwaway PKI made with the openssl CLI: two CAs, a server certificate for 127.0.0.1, client certificates. */
function makePki(dir: string): Pki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string): void => openssl(dir, ['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`]);
  const leaf = (name: string, caName: string, ext: string): void => {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, ['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  };
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('other-client', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  const p = (f: string): string => path.join(dir, f);
  return {
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherCaCert: p('other-ca.crt'),
    otherClientCert: p('other-client.crt'),
    otherClientKey: p('other-client.key'),
  };
}

async function listWith(fx: FacadeFixture, credentials: grpc.ChannelCredentials): Promise<grpc.ServiceError | undefined> {
  const r = await unary<WireListBackupsResponse>(fx.backupClient(credentials), 'List', { folder_id: fx.emulator.folderIds[0] ?? '' });
  if (r.error === undefined && (r.value?.backups.length ?? 0) === 0) throw new Error('an empty answer');
  return r.error;
}

const read = (f: string): Buffer => readFileSync(f);

test('TLS: a client trusting our CA is served; plaintext and a client trusting another CA are refused', async (t) => {
  const pki = makePki(tempDir(t));
  const fx = await facadeFixture(t, { facade: { tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: null } } });
  t.is(await listWith(fx, grpc.credentials.createSsl(read(pki.caCert))), undefined);
  t.truthy(await listWith(fx, grpc.credentials.createInsecure()), 'plaintext refused');
  t.truthy(await listWith(fx, grpc.credentials.createSsl(read(pki.otherCaCert))), 'a server certificate the client does not trust');
});

test('mutual TLS: the right client certificate is served; none, or one from another CA, is refused', async (t) => {
  const pki = makePki(tempDir(t));
  const fx = await facadeFixture(t, { facade: { tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert } } });
  t.is(await listWith(fx, grpc.credentials.createSsl(read(pki.caCert), read(pki.clientKey), read(pki.clientCert))), undefined);
  t.truthy(await listWith(fx, grpc.credentials.createSsl(read(pki.caCert))), 'no client certificate');
  t.truthy(await listWith(fx, grpc.credentials.createSsl(read(pki.caCert), read(pki.otherClientKey), read(pki.otherClientCert))), 'a client certificate from another CA');
  t.truthy(await listWith(fx, grpc.credentials.createInsecure()), 'plaintext');
});

test('startup errors name the setting: unreadable TLS files, an address in use', async (t) => {
  const dir = tempDir(t);
  const store = MirrorStore.open(path.join(dir, 'mirror.db'));
  t.teardown(() => store.close());
  const base = { listen: { host: '127.0.0.1', port: 0 }, store, folders: [], commits: new CommitSignal(), logger: silentLogger };
  await t.throwsAsync(startFacade({ ...base, tls: { cert: path.join(dir, 'missing.crt'), key: path.join(dir, 'missing.key'), clientCa: null } }), {
    message: /^facade\.tls\.cert: cannot read .*missing\.crt/,
  });
  const first = await startFacade({ ...base, tls: null });
  t.teardown(() => first.close(100));
  await t.throwsAsync(startFacade({ ...base, listen: { host: '127.0.0.1', port: first.port }, tls: null }), { message: /^facade\.listen: cannot listen on 127\.0\.0\.1:\d+/ });
});
