/**
 * The hub's structured logger: pino, JSON lines, with credentials redacted wherever they appear in
 * logged objects (authorization headers, cookies, tokens, passwords, OAuth client secrets).
 */
import { pino, stdTimeFunctions, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** The hub's logger (a pino logger); components take it, or a child of it, by injection. */
export type Logger = PinoLogger;

/** Log levels: the config's `hub.logLevel` values plus `silent`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. */
  level: LogLevel;
  /** Where JSON lines go (default: stdout, written synchronously). */
  destination?: DestinationStream;
  /** `name` field of every line (default `clusterhub`). */
  name?: string;
}

/** What replaces a redacted value. */
export const REDACTED = '[redacted]';

/** Keys whose values never reach the log, at the top level or one object down. */
const SECRET_KEYS = ['password', 'token', 'apiToken', 'authToken', 'client_secret'];

/**
 * Redaction paths (fast-redact syntax): request and response credentials, and secret-named keys
 * at the top level or one level down (`{ body: { password } }`).
 */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
];

/** Creates the hub's logger: JSON lines with an ISO timestamp, credentials redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    name: options.name ?? 'clusterhub',
    level: options.level,
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * A child of `logger` without the redaction pass, for log lines whose fields are ALL fixed keys with
 * values known to hold no credential (the per-request line: id, method, path without query, status,
 * time). Redaction matches keys only (REDACT_PATHS), so for such lines it never changes anything,
 * yet costs more than writing the line; never pass request headers, bodies or errors to this child.
 */
export function fixedFieldsLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [], censor: REDACTED } });
}

/** A logger that writes nothing (for tests and tools). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
