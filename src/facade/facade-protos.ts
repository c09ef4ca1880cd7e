import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { loaderOptions, lookup } from '../upstream/proto.js';

/** Full names of the services the facade serves. */
export const backupServiceName = 'yandex.cloud.mdb.redis.v1.BackupService';
export const mirrorServiceName = 'redis_backup_mirror.v1.MirrorService';
export const healthServiceName = 'grpc.health.v1.Health';

const files = ['yandex/cloud/mdb/redis/v1/backup_service.proto', 'redis_backup_mirror/v1/mirror_service.proto', 'health/v1/health.proto'];

let loaded: protoLoader.PackageDefinition | undefined;

/**
 * Every proto the facade serves, loaded once per process with the shared
 * {@link loaderOptions}: what server reflection describes and where the service
 * definitions come from.
 */
export function facadePackageDefinition(): protoLoader.PackageDefinition {
  loaded ??= protoLoader.loadSync(files, {
    ...loaderOptions,
    includeDirs: [...(loaderOptions.includeDirs ?? []), path.resolve(path.dirname(healthProtoPath), '../..')],
  });
  return loaded;
}

/** A service's definition from {@link facadePackageDefinition}. */
export function facadeServiceDefinition(fullName: string): grpc.ServiceDefinition {
  const def = facadePackageDefinition()[fullName];
  if (def === undefined || 'format' in def) throw new Error(`service ${fullName} is not defined in the facade's protos`);
  return def as grpc.ServiceDefinition;
}

/** A grpc-js client constructor for `redis_backup_mirror.v1.MirrorService` (the CLI, tests). */
export function mirrorServiceClientConstructor(): grpc.ServiceClientConstructor {
  return lookup(grpc.loadPackageDefinition(facadePackageDefinition()), mirrorServiceName);
}
