/** Where a {@link ConfigError} comes from, so callers can report or test it without parsing text. */
export interface ConfigErrorDetails {
  /**
   * The offending key path (`upstream.page_size`, `folders[2]`) or environment variable
   * (`RBM_LOG_LEVEL`); undefined for errors about the file as a whole.
   */
  readonly key?: string;
  /** The configuration file, when the problem is in it; prefixed to the message. */
  readonly source?: string;
}

/**
 * Any problem with the configuration: unreadable file, bad YAML, unknown key, bad value,
 * bad environment override. The message always names the key path or variable, e.g.
 * `upstream.page_size: must be an integer between 1 and 1000 (got 0)`, prefixed with
 * the file (`config.yaml: ...`) when it comes from one. The CLI exits with status 2 on it.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly key: string | undefined;
  readonly source: string | undefined;

  constructor(message: string, details: ConfigErrorDetails = {}) {
    super(details.source === undefined ? message : `${details.source}: ${message}`);
    this.key = details.key;
    this.source = details.source;
  }
}
