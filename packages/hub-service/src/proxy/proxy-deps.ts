/**
 * The logging surface of the proxy adapters and the route reconciler: the structured subset of a
 * pino logger (`log.warn({ routespec }, 'msg')`), so the hub passes its own child logger and tests
 * pass nothing. (Time comes from `lib/clock`'s `Clock`.)
 */
export interface ProxyLogger {
  /** Detail for troubleshooting (retries, already-deleted routes). */
  debug(fields: object, message: string): void;
  /** Routine events: listening, routes added or removed. */
  info(fields: object, message: string): void;
  /** Something failed but the proxy carried on (a target down, a route check failed). */
  warn(fields: object, message: string): void;
  /** A failure that needs attention (the listener broke). */
  error(fields: object, message: string): void;
}

/** A logger that drops everything (the default when none is injected). */
export function silentProxyLogger(): ProxyLogger {
  const drop = (): void => undefined;
  return { debug: drop, info: drop, warn: drop, error: drop };
}
