import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'ava';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { service as healthService } from 'grpc-health-check';
import { CommitSignal } from '../src/mirror/commit-signal.js';
import { eventually, facadeFixture, unary, type FacadeFixture } from './helpers/facade-fixture.js';

const backupService = 'yandex.cloud.mdb.redis.v1.BackupService';

function healthClient(fx: FacadeFixture): grpc.Client {
  const Ctor = grpc.makeClientConstructor(healthService as grpc.ServiceDefinition, 'Health');
  const client = new Ctor(fx.facade.address, grpc.credentials.createInsecure());
  return client;
}

async function status(client: grpc.Client, service: string): Promise<string | undefined> {
  const r = await unary<{ status: string }>(client, 'check', { service });
  return r.value?.status ?? r.error?.details;
}

test('health: the server SERVING; BackupService NOT_SERVING until every folder has had a successful pass', async (t) => {
  const fx = await facadeFixture(t, { syncFirst: false });
  const [a = '', b = ''] = fx.emulator.folderIds;
  const client = healthClient(fx);
  t.teardown(() => client.close());
  t.is(await status(client, ''), 'SERVING');
  t.is(await status(client, backupService), 'NOT_SERVING');

  await fx.sync([a]);
  // Publishing the commit re-evaluates health; one folder is not enough.
  await new Promise((r) => setImmediate(r));
  t.is(await status(client, backupService), 'NOT_SERVING');

  await fx.sync([b]);
  await eventually(async () => (await status(client, backupService)) === 'SERVING', 'BackupService SERVING');

  // A later failure does not take it back: the mirror still answers from the last success.
  fx.writer.recordFailure(a, Date.now(), 'upstream: UNAVAILABLE', 'failed-pass');
  fx.facade.refresh();
  t.is(await status(client, backupService), 'SERVING');

  fx.facade.setServing(false);
  t.is(await status(client, ''), 'NOT_SERVING');
  t.is(await status(client, backupService), 'NOT_SERVING');
  fx.facade.setServing(true);
  t.is(await status(client, backupService), 'SERVING');
});

test('health follows the store on a timer too, when no commit is published', async (t) => {
  // The facade listens to a signal nobody publishes on.
  const fx = await facadeFixture(t, { syncFirst: false, facade: { commits: new CommitSignal(), refreshIntervalMs: 50 } });
  const client = healthClient(fx);
  t.teardown(() => client.close());
  t.is(await status(client, backupService), 'NOT_SERVING');
  await fx.sync();
  await eventually(async () => (await status(client, backupService)) === 'SERVING', 'BackupService SERVING');
  t.pass();
});

type Reflection = grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, ReflectionResponse> };
interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] } | null;
  file_descriptor_response?: { file_descriptor_proto: Buffer[] } | null;
  error_response?: { error_code: number; error_message: string } | null;
}

function reflectionClient(address: string): Reflection {
  const require = createRequire(import.meta.url);
  const protoFile = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
  const def = protoLoader.loadSync(protoFile, { keepCase: true, defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } } };
  return new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure()) as unknown as Reflection;
}

function ask(client: Reflection, request: Record<string, string>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (r: ReflectionResponse) => {
      resolve(r);
      call.end();
    });
    call.on('error', reject);
    call.write(request);
  });
}

test('server reflection lists and describes the services (what grpcurl needs)', async (t) => {
  const fx = await facadeFixture(t);
  const client = reflectionClient(fx.facade.address);
  t.teardown(() => client.close());
  const list = await ask(client, { list_services: '' });
  const names = list.list_services_response?.service.map((s) => s.name) ?? [];
  for (const name of [backupService, 'redis_backup_mirror.v1.MirrorService', 'grpc.health.v1.Health']) t.true(names.includes(name), `${name} in ${names.join(', ')}`);
  for (const symbol of [backupService, 'redis_backup_mirror.v1.MirrorService', 'yandex.cloud.mdb.redis.v1.Backup']) {
    const file = await ask(client, { file_containing_symbol: symbol });
    t.is(file.error_response ?? undefined, undefined, symbol);
    t.true((file.file_descriptor_response?.file_descriptor_proto.length ?? 0) > 0, symbol);
  }
});
