/**
 * The logging the store needs; a pino logger satisfies it. Fields first, message second.
 */
export interface StoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything (the default when none is given). */
export const silentStoreLogger: StoreLogger = {
  info: () => undefined,
  warn: () => undefined,
};
