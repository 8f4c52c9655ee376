/**
 * `clusterhub check-config <file>`: loads a config file and reports either a short summary of what
 * it resolves to or every problem found, without starting anything.
 */
import { describeResources } from '@clusterhub/shared';
import { ConfigError } from './config-error';
import { loadConfig, type LoadConfigOptions } from './load';
import type { ResolvedConfig } from './types';

/** Result of {@link checkConfig}: a human summary, or the problems one per line. */
export type CheckConfigResult = { ok: true; summary: string } | { ok: false; errors: string };

/** Where the hub and proxy listen, and where it stores data. */
function hubLines(config: ResolvedConfig): string[] {
  const { hub, db } = config;
  return [
    `hub: public ${hub.tls === null ? 'http' : 'https'}://${hub.public.ip}:${hub.public.port}${hub.baseUrl}, internal ${hub.internal.ip}:${hub.internal.port}` +
      (hub.connectUrl ? `, servers connect to ${hub.connectUrl}` : ''),
    `data: ${hub.dataDir}`,
    db.kind === 'sqlite' ? `db: sqlite ${db.path}` : `db: postgres (${redactUrl(db.url)})`,
  ];
}

/** A URL with its password replaced, for display. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** One line per part: proxy, auth, spawner, backends, profiles, services. */
function partLines(config: ResolvedConfig): string[] {
  const { proxy, auth, spawner } = config;
  const lines = [
    proxy.kind === 'chp' ? `proxy: configurable-http-proxy at ${proxy.apiUrl}` : 'proxy: built-in',
    `auth: local accounts (initial admin ${auth.initialAdmin}` + (auth.admins.length > 0 ? `; admins ${auth.admins.join(', ')})` : ')'),
    `spawner: ${spawner.kind}: ${[...spawner.cmd, ...spawner.args].join(' ')}`,
    ...Object.values(config.backends).map(
      (b) =>
        b.kubernetes
          ? `backend ${b.name}: kubernetes, pods in namespace ${b.kubernetes.pod.namespace}` + (b.kubernetes.connection.kind === 'kubeconfig' ? ` (kubeconfig ${b.kubernetes.connection.file})` : ` at ${b.kubernetes.connection.server}`)
          : `backend ${b.name}: ${b.kind} ` + (b.ssh ? `over ssh as ${b.ssh.user}@${b.ssh.hosts.join(', ')}` : 'on this machine') + (b.sudo ? ', commands as each user via sudo' : ''),
    ),
    `profiles: ${config.profiles.length}`,
    ...config.profiles.map(
      (p) => `  ${p.slug}${p.default === true ? ' (default)' : ''}: ${describeResources(p)}, ${p.pricePerHour ?? 0}/h` + (p.backend && p.backend !== 'default' ? `, on ${p.backend}` : ''),
    ),
    `services: ${config.services.length}`,
  ];
  for (const s of config.services) {
    lines.push(`  ${s.name}${s.admin ? ' (admin)' : ''}${s.apiToken === null ? ': no token (its environment variable is unset)' : ''}`);
  }
  return lines;
}

/**
 * Checks the config file at `path` (the embedded default when null). Never throws for a bad
 * config: problems come back in `errors`, one per line.
 */
export function checkConfig(path: string | null, opts: LoadConfigOptions = {}): CheckConfigResult {
  try {
    const config = loadConfig(path, opts);
    const header = path === null ? 'config OK: embedded default' : `config OK: ${path}`;
    return { ok: true, summary: [header, ...hubLines(config), ...partLines(config)].join('\n') };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, errors: err.message };
    throw err;
  }
}
