/**
 * Rules the JSON schema cannot express: uniqueness across list items, settings that depend on
 * another setting's value, and tokens taken from the environment. Runs on a document that passed
 * the schema; returns one `config error at <path>: <reason>` line per problem.
 */
import { isValidGroupName, isValidUserName, parseQuantity, type HubConfig, type ProfileConfig } from '@clusterhub/shared';
import { isIP } from 'node:net';
import { DEFAULT_INTERNAL_PORT, DEFAULT_PUBLIC_PORT } from './defaults';
import { gpuMetricsProblems } from './gpu-metrics-checks';
import { oidcProblems } from './oidc-checks';

/** Minimum length of a service token, as in the schema's `apiToken.minLength`. */
export const MIN_SERVICE_TOKEN_LENGTH = 16;

/** The environment variable value, or undefined when unset or empty. */
export function envValue(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function at(path: string, why: string): string {
  return `config error at ${path}: ${why}`;
}

/** Problems of one profile taken alone (kind vs resources, guarantee vs limit). */
function profileProblems(profile: ProfileConfig, path: string): string[] {
  const problems: string[] = [];
  const r = profile.resources ?? {};
  if (r.mig && profile.kind !== 'mig') {
    problems.push(at(`${path}.resources.mig`, `only allowed for kind mig (this profile is kind ${profile.kind})`));
  }
  if (!r.mig && profile.kind === 'mig') problems.push(at(`${path}.resources.mig`, 'required for kind mig'));
  if (r.gpus && profile.kind !== 'gpu') {
    problems.push(at(`${path}.resources.gpus`, `only allowed for kind gpu (this profile is kind ${profile.kind})`));
  }
  if (!r.gpus && profile.kind === 'gpu') problems.push(at(`${path}.resources.gpus`, 'required for kind gpu'));
  const cpu = r.cpu;
  if (cpu?.guarantee !== undefined && cpu.limit !== undefined && cpu.guarantee > cpu.limit) {
    problems.push(at(`${path}.resources.cpu`, `guarantee (${cpu.guarantee}) is greater than limit (${cpu.limit})`));
  }
  const mem = r.memory;
  if (mem?.guarantee !== undefined && mem.limit !== undefined && parseQuantity(mem.guarantee) > parseQuantity(mem.limit)) {
    problems.push(at(`${path}.resources.memory`, `guarantee (${mem.guarantee}) is greater than limit (${mem.limit})`));
  }
  return problems;
}

/** Problems across the profile list: duplicate slugs, more than one default. */
function profileListProblems(profiles: readonly ProfileConfig[]): string[] {
  const problems: string[] = [];
  const firstBySlug = new Map<string, number>();
  let firstDefault: number | null = null;
  profiles.forEach((profile, i) => {
    const path = `profiles[${i}]`;
    const seen = firstBySlug.get(profile.slug);
    if (seen === undefined) firstBySlug.set(profile.slug, i);
    else problems.push(at(`${path}.slug`, `duplicate slug ${JSON.stringify(profile.slug)} (also profiles[${seen}])`));
    if (profile.default === true) {
      if (firstDefault === null) firstDefault = i;
      else problems.push(at(`${path}.default`, `more than one default profile (profiles[${firstDefault}] is one too)`));
    }
    problems.push(...profileProblems(profile, path));
  });
  return problems;
}

/** Problems of `services`: token sources, duplicate names. */
function serviceProblems(services: NonNullable<HubConfig['services']>, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const firstByName = new Map<string, number>();
  services.forEach((service, i) => {
    const path = `services[${i}]`;
    const seen = firstByName.get(service.name);
    if (seen === undefined) firstByName.set(service.name, i);
    else problems.push(at(`${path}.name`, `duplicate service name ${JSON.stringify(service.name)} (also services[${seen}])`));
    if (service.apiToken === undefined && service.apiTokenEnv === undefined) {
      problems.push(at(path, 'needs apiToken or apiTokenEnv'));
    } else if (service.apiToken !== undefined && service.apiTokenEnv !== undefined) {
      problems.push(at(path, 'set apiToken or apiTokenEnv, not both'));
    } else {
      const fromEnv = envValue(env, service.apiTokenEnv);
      if (fromEnv !== undefined && fromEnv.length < MIN_SERVICE_TOKEN_LENGTH) {
        problems.push(
          at(`${path}.apiTokenEnv`, `the token in ${service.apiTokenEnv} is shorter than ${MIN_SERVICE_TOKEN_LENGTH} characters`),
        );
      }
    }
  });
  return problems;
}

/** Every semantic problem of a schema-valid document (with schema defaults filled in). */
export function semanticProblems(cfg: HubConfig, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const hub = cfg.hub ?? {};
  if ((hub.apiPageDefaultLimit ?? 0) > (hub.apiPageMaxLimit ?? Infinity)) {
    problems.push(at('hub.apiPageDefaultLimit', `must be <= hub.apiPageMaxLimit (${hub.apiPageMaxLimit})`));
  }
  (hub.trustedProxies ?? []).forEach((entry, i) => {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''));
    const max = isIP(address) === 6 ? 128 : 32;
    if (family === 0) problems.push(at(`hub.trustedProxies[${i}]`, `${JSON.stringify(entry)} is not an IP address or CIDR block`));
    else if (bits !== undefined && Number(bits) > max) problems.push(at(`hub.trustedProxies[${i}]`, `prefix length /${bits} is longer than ${max}`));
  });
  const publicPort = hub.public?.port ?? DEFAULT_PUBLIC_PORT;
  const internalPort = hub.internal?.port ?? DEFAULT_INTERNAL_PORT;
  if (publicPort !== 0 && publicPort === internalPort && hub.public?.ip === hub.internal?.ip) {
    problems.push(at('hub.internal.port', `same address as hub.public (${hub.public?.ip}:${publicPort})`));
  }
  const proxy = cfg.proxy ?? {};
  if (proxy.kind === 'chp' && hub.tls !== undefined) {
    problems.push(at('hub.tls', 'only with the built-in proxy: configurable-http-proxy terminates TLS itself (its --ssl-cert and --ssl-key); remove hub.tls'));
  }
  if (proxy.kind === 'chp') {
    if (proxy.apiUrl === undefined) problems.push(at('proxy.apiUrl', 'required when proxy.kind is chp'));
    if (proxy.authToken === undefined && envValue(env, proxy.authTokenEnv) === undefined) {
      problems.push(
        at(
          'proxy.authToken',
          `required when proxy.kind is chp: set authToken, or the environment variable ${proxy.authTokenEnv ?? '(authTokenEnv)'}`,
        ),
      );
    }
  }
  const auth = cfg.auth ?? {};
  (auth.admins ?? []).forEach((name, i) => {
    if (!isValidUserName(name)) problems.push(at(`auth.admins[${i}]`, `${JSON.stringify(name)} is not a valid user name`));
  });
  (auth.adminGroups ?? []).forEach((name, i) => {
    if (!isValidGroupName(name)) problems.push(at(`auth.adminGroups[${i}]`, `${JSON.stringify(name)} is not a valid group name`));
  });
  if (auth.initialAdmin !== undefined && !isValidUserName(auth.initialAdmin)) {
    problems.push(at('auth.initialAdmin', `${JSON.stringify(auth.initialAdmin)} is not a valid user name`));
  }
  problems.push(...oidcProblems(auth, env));
  problems.push(...profileListProblems(cfg.profiles ?? []));
  problems.push(...serviceProblems(cfg.services ?? [], env));
  problems.push(...gpuMetricsProblems(cfg));
  return problems;
}
