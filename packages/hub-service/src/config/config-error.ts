/**
 * Thrown by `loadConfig` when the configuration cannot be used. `message` has one line per problem,
 * each naming the key path and the reason, e.g. `config error at hub.public.port: must be <= 65535`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Every problem found, one line each (the lines of `message`). */
    readonly problems: readonly string[],
    /** Absolute path of the config file, or null when none was given. */
    readonly file: string | null,
  ) {
    super(problems.join('\n'));
  }
}
