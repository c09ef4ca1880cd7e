import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';

/**
 * Parses one YAML document (YAML 1.2 core schema: `yes`/`no` stay strings) into plain
 * values. Duplicate keys and syntax errors become a ConfigError `<source>:<line>:<col>: ...`.
 */
export function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    const where = pos === undefined ? source : `${source}:${pos.line}:${pos.col}`;
    // The library's message carries a code frame after the first line; keep one line.
    const reason = (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${where}: invalid YAML: ${reason}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // E.g. too many alias expansions ("billion laughs").
    throw new ConfigError(`${source}: invalid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}
