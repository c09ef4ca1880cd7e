import type { Override } from './field-reader.js';

/**
 * Environment variables that override file values, applied after the file and validated
 * like them (errors name the variable). The container sets the listen addresses to
 * `0.0.0.0:...`. A relative RBM_STORE_PATH resolves against the working directory.
 */
export const envOverrideKeys = {
  RBM_METRICS_LISTEN: 'metrics.listen',
  RBM_FACADE_LISTEN: 'facade.listen',
  RBM_STORE_PATH: 'store.path',
  RBM_LOG_LEVEL: 'log.level',
} as const;

export type EnvOverrideName = keyof typeof envOverrideKeys;

/**
 * The overrides present in `env`, keyed by dotted key path. An empty value counts as set
 * (and then fails validation) so that a blank variable is not silently ignored.
 */
export function envOverrides(env: NodeJS.ProcessEnv, cwd: string): ReadonlyMap<string, Override> {
  const overrides = new Map<string, Override>();
  for (const [name, keyPath] of Object.entries(envOverrideKeys)) {
    const value = env[name];
    if (value !== undefined) overrides.set(keyPath, { value, label: name, baseDir: cwd });
  }
  return overrides;
}
