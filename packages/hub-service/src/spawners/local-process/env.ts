/**
 * The environment of a locally spawned single-user server (protocol.md §2), as a pure function.
 *
 * Layers, later ones win: the `envKeep` variables copied from the hub's own environment (nothing
 * else of it: `CONFIGPROXY_AUTH_TOKEN` and the like never leak), the environment the hub computed
 * for this start, `USER`/`HOME`/`SHELL`, `JUPYTERHUB_SERVICE_URL`, and last the admin's
 * `spawner.environment`, which may override anything.
 */

/** Everything {@link buildLocalProcessEnv} needs. */
export interface LocalProcessEnvInput {
  /** The hub's own environment (normally `process.env`). */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  /** Names of the hub variables the server inherits (e.g. `PATH`, `LANG`). */
  readonly envKeep: readonly string[];
  /** The environment the hub computed for this start (`SpawnRequest.env`). */
  readonly requestEnv: Readonly<Record<string, string>>;
  /** Value of `USER`: the hub user name. */
  readonly user: string;
  /** Value of `HOME`: the per-user working folder. */
  readonly home: string;
  /** Value of `SHELL`. */
  readonly shell: string;
  /** Value of `JUPYTERHUB_SERVICE_URL`, e.g. `http://127.0.0.1:50123/user/alice/`. */
  readonly serviceUrl: string;
  /** The admin's `spawner.environment`, applied last. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Builds the server's environment from its layers (see the module comment for the order). */
export function buildLocalProcessEnv(input: LocalProcessEnvInput): Record<string, string> {
  // A Map, then fromEntries: keys such as `__proto__` stay plain keys.
  const env = new Map<string, string>();
  for (const name of input.envKeep) {
    const value = input.hostEnv[name];
    if (value !== undefined) env.set(name, value);
  }
  for (const [name, value] of Object.entries(input.requestEnv)) env.set(name, value);
  env.set('USER', input.user);
  env.set('HOME', input.home);
  env.set('SHELL', input.shell);
  env.set('JUPYTERHUB_SERVICE_URL', input.serviceUrl);
  for (const [name, value] of Object.entries(input.environment)) env.set(name, value);
  return Object.fromEntries(env);
}

/**
 * The URL a server listens on: `http://<ip>:<port><prefix>`, with an IPv6 address in brackets.
 * `prefix` starts and ends with `/`.
 */
export function formatServiceUrl(ip: string, port: number, prefix: string): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${port}${prefix}`;
}

/**
 * The host the hub connects to for a server listening on `ip`: the loopback address when the
 * server listens on all interfaces (`0.0.0.0`, `::` or empty), else `ip` itself.
 */
export function connectHost(ip: string): string {
  if (ip === '' || ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

/** The proxy target of a server listening on `ip:port`: `http://host:port`, no path. */
export function formatTarget(ip: string, port: number): string {
  const host = connectHost(ip);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
