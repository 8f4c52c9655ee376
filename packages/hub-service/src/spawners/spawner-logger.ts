/**
 * The logging surface spawners use: the structured subset of a pino logger (`log.info({ pid }, 'msg')`),
 * so the hub passes its own child logger and tests pass nothing.
 */
export interface SpawnerLogger {
  /** Routine events: a server launched or stopped. */
  info(fields: object, message: string): void;
  /** Something went wrong but the spawner carried on (a forced kill, an unreadable file). */
  warn(fields: object, message: string): void;
  /** Detail for troubleshooting. */
  debug(fields: object, message: string): void;
}

/** A logger that drops everything; the default when none is injected. */
export const silentSpawnerLogger: SpawnerLogger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
