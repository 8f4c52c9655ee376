/**
 * Loads the hub configuration: reads the YAML file, validates it against the JSON schema (filling
 * in defaults), checks the rules the schema cannot express, resolves paths and tokens, and returns
 * a deeply frozen {@link ResolvedConfig}. Any problem throws a {@link ConfigError} listing them all.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { DEFAULT_PROFILES, type HubConfig, type OidcConfig } from '@clusterhub/shared';
import { backendProblems } from './backend-checks';
import { resolveBackends } from './backends';
import { tlsProblem } from './tls-checks';
import { DEFAULT_BUDGET_WARN_AT_PERCENT, budgetProblems, resolveCarryOver, resolveOnExhausted, resolveTerms } from './budget-checks';
import { ldapProblems, resolveLdap } from './ldap-config';
import { pamProblems, resolvePam } from './pam-config';
import { cullerProblems, resolveCullerWebhook } from './culler-checks';
import { gpuIdleProblems } from './gpu-idle-checks';
import { ConfigError } from './config-error';
import { dbProblems, resolveDb } from './db-config';
import { deepFreeze } from './deep-freeze';
import { filled } from './filled';
import {
  DEFAULT_ENV_KEEP,
  DEFAULT_INTERNAL_PORT,
  DEFAULT_PUBLIC_PORT,
  SERVER_LOG_DIR,
  defaultSpawnerCmd,
} from './defaults';
import { compileConfigValidator, formatSchemaErrors } from './schema-validator';
import { envValue, semanticProblems } from './semantic-checks';
import type { ResolvedConfig, ResolvedOidcConfig } from './types';

export { ConfigError } from './config-error';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Environment to read token variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Folder that relative paths are resolved against when no file is given, and that a relative file path is read from (default `process.cwd()`). */
  cwd?: string;
}

/** Sections that are objects; a missing or empty (`null`) one becomes `{}` so its defaults apply. */
const OBJECT_SECTIONS = ['hub', 'db', 'proxy', 'auth', 'spawner', 'backends', 'gpuMetrics', 'budgets', 'culler', 'audit'] as const;

/** Nested objects likewise filled in: [section, key]. */
const NESTED_OBJECTS = [
  ['hub', 'public'],
  ['hub', 'internal'],
  ['auth', 'loginThrottle'],
] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Parses YAML text; syntax errors become ConfigError lines naming the line and column. */
function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      const why = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
      return `config error in ${file}${where}: ${why}`;
    });
    throw new ConfigError(lines, file);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * Prepares a parsed document for validation: an empty document is `{}`, empty sections become
 * `{}`, and a missing profile list becomes a copy of {@link DEFAULT_PROFILES} (so the schema's
 * defaults apply to them too). Anything not an object is left for the schema to reject.
 */
function prepare(raw: unknown): unknown {
  const doc = raw === null || raw === undefined ? {} : raw;
  if (!isPlainObject(doc)) return doc;
  for (const section of OBJECT_SECTIONS) {
    if (doc[section] === undefined || doc[section] === null) doc[section] = {};
  }
  for (const [section, key] of NESTED_OBJECTS) {
    const parent = doc[section];
    if (isPlainObject(parent) && (parent[key] === undefined || parent[key] === null)) parent[key] = {};
  }
  if (doc['profiles'] === undefined || doc['profiles'] === null) doc['profiles'] = structuredClone(DEFAULT_PROFILES);
  if (doc['services'] === null) doc['services'] = [];
  return doc;
}

/** Resolves a command's program against `baseDir` when it is a relative path (not a bare name looked up in PATH). */
function resolveCommand(cmd: readonly string[], baseDir: string): string[] {
  const [program, ...rest] = cmd;
  if (program === undefined) return [];
  const resolved = program.includes('/') && !isAbsolute(program) ? resolve(baseDir, program) : program;
  return [resolved, ...rest];
}

/** JupyterHub's rule: the connect URL ends with the hub prefix (`<baseUrl>hub/`), which is appended when missing. */
function normalizeConnectUrl(url: string, baseUrl: string): string {
  const parsed = new URL(url);
  const hubPrefix = `${baseUrl}hub/`;
  const path = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`;
  parsed.pathname = path.endsWith(hubPrefix) ? path : `${path.slice(0, -1)}${hubPrefix}`;
  return parsed.toString();
}

/**
 * A problem when the fixed part of the `workDir` template (what comes before its first
 * placeholder) lies inside the data folder: users must never reach the hub's files.
 */
function workDirProblem(workDir: string, dataDir: string): string | null {
  const brace = workDir.indexOf('{');
  const fixed = brace < 0 ? workDir : workDir.slice(0, brace);
  if (fixed === '') return null;
  const rel = relative(dataDir, resolve(fixed));
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    return `config error at spawner.workDir: ${JSON.stringify(workDir)} lies inside hub.dataDir (${dataDir}); user folders must be outside the hub's data folder`;
  }
  return null;
}

/** The most GPU readings kept per server (`gpuMetrics.historyMinutes` over `gpuMetrics.intervalSeconds`). */
export const MAX_GPU_READINGS_PER_SERVER = 20_000;

/** A problem when the GPU history would keep more than {@link MAX_GPU_READINGS_PER_SERVER} readings per server. */
function gpuHistoryProblem(gpu: ResolvedConfig['gpuMetrics']): string | null {
  const readings = Math.ceil((gpu.historyMinutes * 60) / gpu.intervalSeconds);
  if (readings <= MAX_GPU_READINGS_PER_SERVER) return null;
  return `config error at gpuMetrics.historyMinutes: ${gpu.historyMinutes} minutes at one sample every ${gpu.intervalSeconds} s (gpuMetrics.intervalSeconds) keeps ${readings} readings per server; at most ${MAX_GPU_READINGS_PER_SERVER}: shorten the history or sample less often`;
}

/** `auth.oidc` with its defaults and the client secret read from `clientSecretEnv` (semantic checks ran before). */
function resolveOidc(oidc: OidcConfig, env: NodeJS.ProcessEnv): ResolvedOidcConfig {
  return {
    protocol: filled(oidc.protocol, 'auth.oidc.protocol'),
    issuer: oidc.issuer ?? null,
    authorizationUrl: oidc.authorizationUrl ?? null,
    tokenUrl: oidc.tokenUrl ?? null,
    userinfoUrl: oidc.userinfoUrl ?? null,
    jwksUrl: oidc.jwksUrl ?? null,
    clientId: filled(oidc.clientId, 'auth.oidc.clientId'),
    clientSecret: oidc.clientSecret ?? envValue(env, oidc.clientSecretEnv) ?? null,
    callbackUrl: oidc.callbackUrl ?? null,
    scopes: filled(oidc.scopes, 'auth.oidc.scopes'),
    usernameClaim: filled(oidc.usernameClaim, 'auth.oidc.usernameClaim'),
    groupsClaim: filled(oidc.groupsClaim, 'auth.oidc.groupsClaim'),
    allowAll: filled(oidc.allowAll, 'auth.oidc.allowAll'),
    allowedUsers: filled(oidc.allowedUsers, 'auth.oidc.allowedUsers'),
    allowedGroups: filled(oidc.allowedGroups, 'auth.oidc.allowedGroups'),
    adminGroups: filled(oidc.adminGroups, 'auth.oidc.adminGroups'),
    manageGroups: filled(oidc.manageGroups, 'auth.oidc.manageGroups'),
    displayName: filled(oidc.displayName, 'auth.oidc.displayName'),
    timeoutSeconds: filled(oidc.timeoutSeconds, 'auth.oidc.timeoutSeconds'),
    refreshGroupsSeconds: filled(oidc.refreshGroupsSeconds, 'auth.oidc.refreshGroupsSeconds'),
    extraAuthorizeParams: filled(oidc.extraAuthorizeParams, 'auth.oidc.extraAuthorizeParams'),
  };
}

/** A `workDir` template resolved against `baseDir`, unless it starts with a placeholder (`{home}`). */
function resolveWorkDir(template: string, baseDir: string): string {
  return template.startsWith('{') ? template : resolve(baseDir, template);
}

/**
 * Builds the resolved configuration from a valid document (schema defaults already filled in).
 * `embeddedDefault` is true when there is no config file (then missing Unix accounts are created).
 */
function resolveConfig(cfg: HubConfig, baseDir: string, env: NodeJS.ProcessEnv, file: string | null): ResolvedConfig {
  const embeddedDefault = file === null;
  const hub = filled(cfg.hub, 'hub');
  const pub = filled(hub.public, 'hub.public');
  const internal = filled(hub.internal, 'hub.internal');
  const baseUrl = filled(hub.baseUrl, 'hub.baseUrl');
  const dataDir = resolve(baseDir, filled(hub.dataDir, 'hub.dataDir'));
  const db = filled(cfg.db, 'db');
  const proxy = filled(cfg.proxy, 'proxy');
  const auth = filled(cfg.auth, 'auth');
  const throttle = filled(auth.loginThrottle, 'auth.loginThrottle');
  const spawner = filled(cfg.spawner, 'spawner');
  const gpu = filled(cfg.gpuMetrics, 'gpuMetrics');
  const budgets = filled(cfg.budgets, 'budgets');
  const culler = filled(cfg.culler, 'culler');
  const audit = filled(cfg.audit, 'audit');
  const proxyIntervals = {
    checkRoutesIntervalSeconds: filled(proxy.checkRoutesIntervalSeconds, 'proxy.checkRoutesIntervalSeconds'),
    lastActivityIntervalSeconds: filled(proxy.lastActivityIntervalSeconds, 'proxy.lastActivityIntervalSeconds'),
  };
  return {
    hub: {
      public: { ip: filled(pub.ip, 'hub.public.ip'), port: pub.port ?? DEFAULT_PUBLIC_PORT },
      internal: { ip: filled(internal.ip, 'hub.internal.ip'), port: internal.port ?? DEFAULT_INTERNAL_PORT },
      connectUrl: hub.connectUrl === undefined ? null : normalizeConnectUrl(hub.connectUrl, baseUrl),
      baseUrl,
      dataDir,
      version: filled(hub.version, 'hub.version'),
      cookieMaxAgeDays: filled(hub.cookieMaxAgeDays, 'hub.cookieMaxAgeDays'),
      apiPageDefaultLimit: filled(hub.apiPageDefaultLimit, 'hub.apiPageDefaultLimit'),
      apiPageMaxLimit: filled(hub.apiPageMaxLimit, 'hub.apiPageMaxLimit'),
      maxBodyBytes: filled(hub.maxBodyBytes, 'hub.maxBodyBytes'),
      allowNamedServers: filled(hub.allowNamedServers, 'hub.allowNamedServers'),
      namedServerLimitPerUser: filled(hub.namedServerLimitPerUser, 'hub.namedServerLimitPerUser'),
      concurrentSpawnLimit: filled(hub.concurrentSpawnLimit, 'hub.concurrentSpawnLimit'),
      activeServerLimit: filled(hub.activeServerLimit, 'hub.activeServerLimit'),
      startTimeoutSeconds: filled(hub.startTimeoutSeconds, 'hub.startTimeoutSeconds'),
      httpTimeoutSeconds: filled(hub.httpTimeoutSeconds, 'hub.httpTimeoutSeconds'),
      slowSpawnTimeoutSeconds: filled(hub.slowSpawnTimeoutSeconds, 'hub.slowSpawnTimeoutSeconds'),
      slowStopTimeoutSeconds: filled(hub.slowStopTimeoutSeconds, 'hub.slowStopTimeoutSeconds'),
      pollIntervalSeconds: filled(hub.pollIntervalSeconds, 'hub.pollIntervalSeconds'),
      logLevel: filled(hub.logLevel, 'hub.logLevel'),
      authenticatePrometheus: filled(hub.authenticatePrometheus, 'hub.authenticatePrometheus'),
      tls: hub.tls === undefined ? null : { certFile: resolve(baseDir, hub.tls.certFile), keyFile: resolve(baseDir, hub.tls.keyFile) },
      processMetrics: filled(hub.processMetrics, 'hub.processMetrics'),
      trustedProxies: filled(hub.trustedProxies, 'hub.trustedProxies'),
      cookieSecure: filled(hub.cookieSecure, 'hub.cookieSecure'),
    },
    db: resolveDb(db, dataDir, baseDir, env),
    proxy:
      proxy.kind === 'chp'
        ? {
            kind: 'chp',
            apiUrl: filled(proxy.apiUrl, 'proxy.apiUrl'),
            authToken: filled(proxy.authToken ?? envValue(env, proxy.authTokenEnv), 'proxy.authToken'),
            ...proxyIntervals,
          }
        : { kind: 'builtin', ...proxyIntervals },
    auth: {
      kind: filled(auth.kind, 'auth.kind'),
      admins: filled(auth.admins, 'auth.admins'),
      adminGroups: filled(auth.adminGroups, 'auth.adminGroups'),
      initialAdmin: filled(auth.initialAdmin, 'auth.initialAdmin'),
      loginThrottle: {
        freeFailures: filled(throttle.freeFailures, 'auth.loginThrottle.freeFailures'),
        maxDelaySeconds: filled(throttle.maxDelaySeconds, 'auth.loginThrottle.maxDelaySeconds'),
      },
      oidc: auth.kind === 'oidc' ? resolveOidc(filled(auth.oidc, 'auth.oidc'), env) : null,
      ldap: auth.kind === 'ldap' ? resolveLdap(filled(auth.ldap, 'auth.ldap'), env, baseDir) : null,
      pam: auth.kind === 'pam' ? resolvePam(filled(auth.pam, 'auth.pam')) : null,
    },
    spawner: {
      kind: filled(spawner.kind, 'spawner.kind'),
      cmd: spawner.cmd === undefined ? defaultSpawnerCmd() : resolveCommand(spawner.cmd, baseDir),
      args: spawner.args ?? [],
      environment: filled(spawner.environment, 'spawner.environment'),
      envKeep: spawner.envKeep ?? [...DEFAULT_ENV_KEEP],
      ip: filled(spawner.ip, 'spawner.ip'),
      workDir: resolveWorkDir(filled(spawner.workDir, 'spawner.workDir'), baseDir),
      createSystemUsers: spawner.createSystemUsers ?? embeddedDefault,
      systemUserTemplate: filled(spawner.systemUserTemplate, 'spawner.systemUserTemplate'),
      minUid: filled(spawner.minUid, 'spawner.minUid'),
      logDir: join(dataDir, SERVER_LOG_DIR),
      defaultUrl: filled(spawner.defaultUrl, 'spawner.defaultUrl'),
    },
    backends: resolveBackends(filled(cfg.backends, 'backends'), baseDir, env, file),
    profiles: filled(cfg.profiles, 'profiles'),
    services: filled(cfg.services, 'services').map((s) => ({
      name: s.name,
      apiToken: s.apiToken ?? envValue(env, s.apiTokenEnv) ?? null,
      scopes: filled(s.scopes, 'services[].scopes'),
      admin: filled(s.admin, 'services[].admin'),
    })),
    gpuMetrics: {
      enabled: filled(gpu.enabled, 'gpuMetrics.enabled'),
      nvidiaSmi: resolveCommand([filled(gpu.nvidiaSmi, 'gpuMetrics.nvidiaSmi')], baseDir)[0] ?? 'nvidia-smi',
      nodeNvidiaSmi: filled(gpu.nodeNvidiaSmi, 'gpuMetrics.nodeNvidiaSmi'),
      intervalSeconds: filled(gpu.intervalSeconds, 'gpuMetrics.intervalSeconds'),
      commandTimeoutSeconds: filled(gpu.commandTimeoutSeconds, 'gpuMetrics.commandTimeoutSeconds'),
      historyMinutes: filled(gpu.historyMinutes, 'gpuMetrics.historyMinutes'),
      idleThresholdPercent: filled(gpu.idleThresholdPercent, 'gpuMetrics.idleThresholdPercent'),
    },
    budgets: {
      period: filled(budgets.period, 'budgets.period'),
      terms: resolveTerms(budgets.terms),
      carryOver: resolveCarryOver(budgets.carryOver),
      defaultUser: budgets.defaultUser ?? null,
      users: filled(budgets.users, 'budgets.users'),
      groups: filled(budgets.groups, 'budgets.groups'),
      warnAtPercent: budgets.warnAtPercent ?? [...DEFAULT_BUDGET_WARN_AT_PERCENT],
      onExhausted: resolveOnExhausted(budgets.onExhausted),
    },
    culler: {
      enabled: filled(culler.enabled, 'culler.enabled'),
      intervalSeconds: filled(culler.intervalSeconds, 'culler.intervalSeconds'),
      idleTimeoutSeconds: filled(culler.idleTimeoutSeconds, 'culler.idleTimeoutSeconds'),
      maxAgeSeconds: filled(culler.maxAgeSeconds, 'culler.maxAgeSeconds'),
      removeNamedServers: filled(culler.removeNamedServers, 'culler.removeNamedServers'),
      warningSeconds: filled(culler.warningSeconds, 'culler.warningSeconds'),
      webhook: resolveCullerWebhook(culler.webhook, env),
    },
    audit: {
      retentionDays: filled(audit.retentionDays, 'audit.retentionDays'),
      file: audit.file === undefined ? null : resolve(baseDir, audit.file),
    },
  };
}

/**
 * Loads the configuration from the YAML file at `path` (relative to `opts.cwd`), or the embedded
 * default when `path` is null. Relative paths in the file are resolved against the file's folder
 * (against `cwd` when there is no file); tokens named by `*Env` keys are read from `opts.env`.
 *
 * @throws ConfigError listing every problem, one per line (`config error at <key path>: <reason>`).
 */
export function loadConfig(path: string | null, opts: LoadConfigOptions = {}): ResolvedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = path === null ? null : resolve(cwd, path);
  let raw: unknown = null;
  if (file !== null) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new ConfigError([`config error: cannot read ${file} (${code})`], file);
    }
    raw = parseYaml(text, file);
  }
  const doc = prepare(raw);
  const validate = compileConfigValidator();
  if (!validate(doc)) throw new ConfigError(formatSchemaErrors(validate.errors ?? []), file);
  const problems = [...semanticProblems(doc, env), ...dbProblems(doc.db, env), ...budgetProblems(doc), ...gpuIdleProblems(doc), ...cullerProblems(doc, env), ...backendProblems(doc, env)];
  problems.push(...ldapProblems(doc.auth ?? {}, env, file === null ? cwd : dirname(file)), ...pamProblems(doc));
  if (problems.length > 0) throw new ConfigError(problems, file);
  const resolved = resolveConfig(doc, file === null ? cwd : dirname(file), env, file);
  const placement = [workDirProblem(resolved.spawner.workDir, resolved.hub.dataDir), gpuHistoryProblem(resolved.gpuMetrics), tlsProblem(resolved.hub.tls)].filter((p) => p !== null);
  if (placement.length > 0) throw new ConfigError(placement, file);
  return deepFreeze(resolved);
}
