import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { ConfigError } from './config-error.js';
import { checkReferences } from './check-references.js';
import { parseConfig } from './parse-config.js';
import { parseYaml } from './parse-yaml.js';

export { parseConfig, type ParseConfigOptions } from './parse-config.js';

/**
 * Reads the YAML file, applies defaults and the RBM_* overrides from `env`, validates,
 * and returns a deeply frozen Config. Relative paths in the file resolve against the
 * file's directory; a relative RBM_STORE_PATH against the working directory. Also checks
 * that files the config names are readable and that a `token_env` variable is set.
 *
 * @param env default `process.env`.
 * @throws ConfigError (missing file, YAML syntax with file:line, bad value naming its key).
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    const reason = code === 'ENOENT' ? 'no such file' : code;
    throw new ConfigError(`cannot read config file ${JSON.stringify(file)}: ${reason}`);
  }
  const raw = parseYaml(text, file);
  const config = parseConfig(raw, { baseDir: path.dirname(path.resolve(file)), env, source: file });
  checkReferences(config, env, file);
  return config;
}
