/**
 * The validated, deeply frozen daemon configuration (see `config/default.yaml` for every
 * key, its unit and default). Built by `loadConfig`/`parseConfig` in `load-config.ts`.
 * Durations are milliseconds; relative paths are already resolved to absolute ones.
 */
export interface Config {
  /**
   * Folder ids to mirror (unique, `[a-z0-9]{1,50}`). Empty only when `emulator.enabled`:
   * then the emulator's own folders are mirrored.
   */
  readonly folders: readonly string[];
  /** Cron expression for sync passes, 5 fields or 6 with seconds first. Default every 5 minutes. */
  readonly schedule: string;
  readonly upstream: UpstreamConfig;
  readonly store: StoreConfig;
  readonly sync: SyncConfig;
  readonly metrics: MetricsConfig;
  readonly facade: FacadeConfig;
  readonly log: LogConfig;
  readonly emulator: EmulatorConfig;
}

/** A TCP address to listen on; `host` carries no brackets (`::1`), `port` 0 picks a free one. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface UpstreamConfig {
  /** `host:port` of the BackupService, IPv6 hosts in brackets. Default `mdb.api.cloud.yandex.net:443`. */
  readonly endpoint: string;
  /** Use TLS with the system roots (plus `caFile`). Default true. */
  readonly tls: boolean;
  /** Absolute path of a PEM file of extra trusted roots for upstream and IAM calls, or null. */
  readonly caFile: string | null;
  /** Backups per List page, 1..1000. Default 1000. */
  readonly pageSize: number;
  /** Deadline of each call, ms. Default 10 000. */
  readonly timeoutMs: number;
  readonly retry: RetryConfig;
  readonly auth: AuthConfig;
}

export interface RetryConfig {
  /** Attempts per call including the first, 1..100 (1 = no retry). Default 5. */
  readonly maxAttempts: number;
  /** Backoff before the first retry, ms. Default 250. */
  readonly initialBackoffMs: number;
  /** Ceiling of the backoff, ms, >= initialBackoffMs. Default 10 000. */
  readonly maxBackoffMs: number;
}

/** How upstream calls get their IAM token; discriminated on `kind`. Default `{ kind: 'none' }`. */
export type AuthConfig =
  | NoneAuthConfig
  | IamTokenAuthConfig
  | ServiceAccountKeyAuthConfig
  | MetadataAuthConfig
  | OAuthAuthConfig;

export type AuthKind = AuthConfig['kind'];

/** No `authorization` metadata (emulator, local tests). */
export interface NoneAuthConfig {
  readonly kind: 'none';
}

/** A ready IAM token, from exactly one of an environment variable or a file (re-read as needed). */
export type IamTokenAuthConfig =
  | { readonly kind: 'iam-token'; readonly tokenEnv: string; readonly tokenFile: null }
  | { readonly kind: 'iam-token'; readonly tokenEnv: null; readonly tokenFile: string };

/** Service-account authorized key (JSON) exchanged for IAM tokens at `iamEndpoint`. */
export interface ServiceAccountKeyAuthConfig {
  readonly kind: 'service-account-key';
  /** Absolute path of the key JSON file. */
  readonly keyFile: string;
  /** `host:port` of the IAM token service. Default `iam.api.cloud.yandex.net:443`. */
  readonly iamEndpoint: string;
}

/** The VM metadata service's token of the attached service account. */
export interface MetadataAuthConfig {
  readonly kind: 'metadata';
  /** http(s) URL of the token. Default the GCE-compatible Yandex Cloud metadata URL. */
  readonly metadataUrl: string;
}

/** A Yandex OAuth token (from the named environment variable) exchanged for IAM tokens. */
export interface OAuthAuthConfig {
  readonly kind: 'oauth';
  readonly tokenEnv: string;
  /** `host:port` of the IAM token service. Default `iam.api.cloud.yandex.net:443`. */
  readonly iamEndpoint: string;
}

export interface StoreConfig {
  /** Absolute path of the SQLite database (or the literal `:memory:`). Default `<config dir>/data/mirror.db`. */
  readonly path: string;
}

export interface SyncConfig {
  /** Run a pass as soon as the daemon starts. Default true. */
  readonly runOnStart: boolean;
  /** Folders synced at once, 1..64. Default 4. */
  readonly concurrency: number;
  /** Get each backup missing from a listing before recording it removed. Default true. */
  readonly confirmRemovals: boolean;
  /** Overall deadline of one folder's pass, ms. Default 600 000. */
  readonly passTimeoutMs: number;
}

export interface MetricsConfig {
  /** Prometheus endpoint address. Default 127.0.0.1:9464. */
  readonly listen: ListenAddress;
}

export interface FacadeConfig {
  /** gRPC facade address. Default 127.0.0.1:50051. */
  readonly listen: ListenAddress;
  /** Null = plaintext. */
  readonly tls: FacadeTlsConfig | null;
}

export interface FacadeTlsConfig {
  /** Absolute path of the server certificate chain (PEM). */
  readonly cert: string;
  /** Absolute path of the server private key (PEM). */
  readonly key: string;
  /** Absolute path of a CA bundle (PEM); set = mutual TLS, clients must present a cert it signed. */
  readonly clientCa: string | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogConfig {
  /** Minimum level logged. Default `info`. */
  readonly level: LogLevel;
}

/** The built-in cloud emulator for demos; when enabled the daemon runs it in-process, plaintext. */
export interface EmulatorConfig {
  /** Default false. */
  readonly enabled: boolean;
  /** Number of emulated folders, 1..100. Default 3. */
  readonly folders: number;
  /** Clusters per folder, 0..1000. Default 5. */
  readonly clusters: number;
  /** PRNG seed, 0..4294967295. Default 1. */
  readonly seed: number;
  /** Real time per simulated day, ms; null = the emulated clock stands still. Default 30 000. */
  readonly dayEveryMs: number | null;
  /** Bearer token the emulator requires, or null for none. A secret: never log it. */
  readonly token: string | null;
}
