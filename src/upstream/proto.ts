import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The repository's `proto/` folder, found relative to this file in `src/` and `dist/` alike. */
export const protoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');

/** Wire-shaped objects as @grpc/proto-loader decodes them with {@link loaderOptions}. */
export interface WireTimestamp {
  seconds: number | string;
  nanos: number;
}

export interface WireBackup {
  id: string;
  folder_id: string;
  created_at: WireTimestamp | null;
  source_cluster_id: string;
  started_at: WireTimestamp | null;
  source_shard_names: string[];
  type: number;
}

export interface WireListBackupsRequest {
  folder_id: string;
  page_size: number;
  page_token: string;
}

export interface WireListBackupsResponse {
  backups: WireBackup[];
  next_page_token: string;
}

export interface WireGetBackupRequest {
  backup_id: string;
}

/**
 * Decoding options shared by every service: snake_case field names as on the wire,
 * int64 as JS numbers (page sizes and epoch seconds fit), enums as numbers (unknown
 * future values survive), and defaults filled in so absent scalars read as proto3 zero values.
 */
export const loaderOptions: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  oneofs: true,
  includeDirs: [protoRoot],
};

const cache = new Map<string, grpc.GrpcObject>();

/** Loads (once per process) a proto file under `proto/` as a grpc-js package object. */
export function loadProto(file: string): grpc.GrpcObject {
  let loaded = cache.get(file);
  if (loaded === undefined) {
    loaded = grpc.loadPackageDefinition(protoLoader.loadSync(file, loaderOptions));
    cache.set(file, loaded);
  }
  return loaded;
}

/** The cloud's `yandex.cloud.mdb.redis.v1.BackupService` definition. */
export function backupServiceDefinition(): grpc.ServiceDefinition {
  return backupServiceClientConstructor().service;
}

/** A grpc-js client constructor for `yandex.cloud.mdb.redis.v1.BackupService`. */
export function backupServiceClientConstructor(): grpc.ServiceClientConstructor {
  return lookup(loadProto('yandex/cloud/mdb/redis/v1/backup_service.proto'), 'yandex.cloud.mdb.redis.v1.BackupService');
}

/** Finds a service constructor by its full name in a loaded package object. */
export function lookup(root: grpc.GrpcObject, fullName: string): grpc.ServiceClientConstructor {
  let node: unknown = root;
  for (const part of fullName.split('.')) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  if (typeof node !== 'function') throw new Error(`service ${fullName} is not defined in the loaded protos`);
  return node as grpc.ServiceClientConstructor;
}
