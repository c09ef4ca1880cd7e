import { accessSync, constants, statSync } from 'node:fs';
import type { AuthConfig, Config } from './config.js';
import { ConfigError } from './config-error.js';

/** The files a config uses, by key path; null entries are unset or unused. */
function referencedFiles(config: Config): ReadonlyArray<readonly [string, string | null]> {
  const { upstream, facade } = config;
  const auth = usedAuth(config);
  return [
    ['upstream.ca_file', config.emulator.enabled ? null : upstream.caFile],
    ['upstream.auth.token_file', auth?.kind === 'iam-token' ? auth.tokenFile : null],
    ['upstream.auth.key_file', auth?.kind === 'service-account-key' ? auth.keyFile : null],
    ['facade.tls.cert', facade.tls?.cert ?? null],
    ['facade.tls.key', facade.tls?.key ?? null],
    ['facade.tls.client_ca', facade.tls?.clientCa ?? null],
  ];
}

/** The emulator replaces the upstream, its TLS roots and credentials: those go unused. */
function usedAuth(config: Config): AuthConfig | null {
  return config.emulator.enabled ? null : config.upstream.auth;
}

/**
 * Fails fast (exit 2, not a failure at the first call) when a file the config names is
 * unreadable or the environment variable holding a token is unset or empty. Never reads
 * or reports the token itself. Skips the upstream's files and variables when the emulator
 * replaces the upstream.
 *
 * @throws ConfigError naming the key.
 */
export function checkReferences(config: Config, env: NodeJS.ProcessEnv, source: string): void {
  for (const [key, file] of referencedFiles(config)) {
    if (file === null) continue;
    let reason: string | null = null;
    try {
      accessSync(file, constants.R_OK);
      if (!statSync(file).isFile()) reason = 'not a file';
    } catch (error) {
      reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    }
    if (reason !== null) throw new ConfigError(`${key}: cannot read ${JSON.stringify(file)} (${reason})`, { key, source });
  }
  const auth = usedAuth(config);
  const tokenEnv = auth?.kind === 'iam-token' || auth?.kind === 'oauth' ? auth.tokenEnv : null;
  if (tokenEnv !== null && (env[tokenEnv] ?? '') === '') {
    const key = 'upstream.auth.token_env';
    throw new ConfigError(`${key}: environment variable ${tokenEnv} is not set`, { key, source });
  }
}
