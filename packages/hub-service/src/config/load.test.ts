import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROFILES } from '@clusterhub/shared';
import { ConfigError, loadConfig } from './load';
import { useConfigSandbox } from './testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-config-');
/** Writes a config text to a file in the test's folder (see {@link useConfigSandbox}). */
const { file: configFile, problemsOf } = sandbox;

const ENV_KEEP = [
  'PATH',
  'PYTHONPATH',
  'CONDA_ROOT',
  'CONDA_DEFAULT_ENV',
  'VIRTUAL_ENV',
  'LANG',
  'LC_ALL',
  'LD_LIBRARY_PATH',
  'JUPYTERHUB_SINGLEUSER_APP',
];

describe('loadConfig with no file', () => {
  it('gives the embedded default', () => {
    const config = loadConfig(null, { cwd: sandbox.dir, env: {} });
    expect(config.hub.public).toEqual({ ip: '127.0.0.1', port: 8000 });
    expect(config.hub.internal).toEqual({ ip: '127.0.0.1', port: 8081 });
    expect(config.hub.connectUrl).toBeNull();
    expect(config.hub.baseUrl).toBe('/');
    expect(config.hub.dataDir).toBe(join(sandbox.dir, '.data'));
    expect(config.hub.version).toBe('6.1.1');
    expect(config.hub.logLevel).toBe('info');
    expect(config.hub.concurrentSpawnLimit).toBe(100);
    expect(config.hub.processMetrics).toBe(true);
    expect(config.db).toEqual({ kind: 'sqlite', path: join(sandbox.dir, '.data', 'clusterhub.sqlite') });
    expect(config.proxy).toEqual({ kind: 'builtin', checkRoutesIntervalSeconds: 60, lastActivityIntervalSeconds: 60 });
    expect(config.auth).toEqual({
      kind: 'local',
      admins: [],
      adminGroups: [],
      initialAdmin: 'admin',
      loginThrottle: { freeFailures: 3, maxDelaySeconds: 30 },
      oidc: null,
      ldap: null,
      pam: null,
    });
    expect(config.spawner.kind).toBe('local-process');
    expect(config.spawner.cmd).toHaveLength(1);
    expect(config.spawner.cmd[0]).toMatch(/(^|\/)jupyterhub-singleuser$/);
    expect(config.spawner.envKeep).toEqual(ENV_KEEP);
    expect(config.spawner.workDir).toBe('{home}');
    expect(config.spawner.args).toEqual([]);
    expect(config.spawner.createSystemUsers).toBe(true);
    expect(config.spawner.systemUserTemplate).toBe('{username}');
    expect(config.spawner.minUid).toBe(1000);
    expect(config.spawner.logDir).toBe(join(sandbox.dir, '.data', 'logs'));
    expect(config.spawner.defaultUrl).toBe('/lab');
    expect(config.profiles).toEqual(DEFAULT_PROFILES);
    expect(config.services).toEqual([]);
  });
});

describe('loadConfig with a file', () => {
  it('refuses a working folder inside the data folder, naming spawner.workDir', () => {
    expect(() => loadConfig(configFile('hub: { dataDir: d }\nspawner: { workDir: "d/users/{username}" }\n'), { cwd: sandbox.dir, env: {} })).toThrow(
      /config error at spawner\.workDir: .* lies inside hub\.dataDir/,
    );
    expect(() => loadConfig(configFile('hub: { dataDir: d }\nspawner: { workDir: "d" }\n'), { cwd: sandbox.dir, env: {} })).toThrow(/lies inside hub\.dataDir/);
    expect(loadConfig(configFile('hub: { dataDir: d }\nspawner: { workDir: "dx/{username}" }\n'), { cwd: sandbox.dir, env: {} }).spawner.workDir).toBe(join(sandbox.dir, 'dx', '{username}'));
  });

  it('refuses an account template without {username}, naming the key', () => {
    expect(() => loadConfig(configFile('spawner: { systemUserTemplate: shared }\n'), { cwd: sandbox.dir, env: {} })).toThrow(/spawner\.systemUserTemplate/);
  });

  it('treats an empty file (or only comments) as the embedded default, except that it creates no Unix accounts', () => {
    const embedded = loadConfig(null, { cwd: sandbox.dir, env: {} });
    const none = { ...embedded, spawner: { ...embedded.spawner, createSystemUsers: false } };
    expect(loadConfig(configFile(''), { cwd: sandbox.dir, env: {} })).toEqual(none);
    expect(loadConfig(configFile('# nothing yet\n'), { cwd: sandbox.dir, env: {} })).toEqual(none);
    expect(loadConfig(configFile('hub:\nspawner:\n'), { cwd: sandbox.dir, env: {} })).toEqual(none);
  });

  it('reads a valid file, resolving relative paths against its folder', () => {
    mkdirSync(join(sandbox.dir, 'etc'));
    const file = configFile(
      [
        'hub:',
        '  public: { port: 9000 }',
        '  internal: { ip: 0.0.0.0, port: 9001 }',
        '  baseUrl: /jh/',
        '  connectUrl: http://10.0.0.5:9001',
        '  dataDir: state',
        '  logLevel: debug',
        'db: { path: db/hub.sqlite }',
        'proxy:',
        '  kind: chp',
        '  apiUrl: http://127.0.0.1:8001',
        'auth: { admins: [alice], loginThrottle: { freeFailures: 5 } }',
        'spawner:',
        '  cmd: [./bin/singleuser, --debug]',
        '  workDir: homes/{username}',
        '  environment: { FOO: bar }',
        'profiles:',
        '  - slug: small',
        '    displayName: Small',
        '    kind: cpu',
        '    resources: { cpu: { guarantee: 1, limit: 1 }, memory: { limit: 1Gi } }',
        '  - slug: slice',
        '    displayName: Slice',
        '    kind: mig',
        '    default: true',
        '    resources: { mig: { profile: 3g.20gb } }',
        'services:',
        '  - name: idle-culler',
        '    apiTokenEnv: CULLER_TOKEN',
        '    scopes: [list:users, admin:servers]',
        '',
      ].join('\n'),
      'etc/hub.yaml',
    );
    const config = loadConfig('etc/hub.yaml', {
      cwd: sandbox.dir,
      env: { CONFIGPROXY_AUTH_TOKEN: 'proxy-secret', CULLER_TOKEN: 'c'.repeat(32) },
    });
    const etc = join(sandbox.dir, 'etc');
    expect(file).toBe(join(etc, 'hub.yaml'));
    expect(config.hub.public).toEqual({ ip: '127.0.0.1', port: 9000 });
    expect(config.hub.internal).toEqual({ ip: '0.0.0.0', port: 9001 });
    expect(config.hub.connectUrl).toBe('http://10.0.0.5:9001/jh/hub/');
    expect(config.hub.dataDir).toBe(join(etc, 'state'));
    expect(config.hub.logLevel).toBe('debug');
    expect(config.db).toEqual({ kind: 'sqlite', path: join(etc, 'db', 'hub.sqlite') });
    expect(config.proxy).toEqual({
      kind: 'chp',
      apiUrl: 'http://127.0.0.1:8001',
      authToken: 'proxy-secret',
      checkRoutesIntervalSeconds: 60,
      lastActivityIntervalSeconds: 60,
    });
    expect(config.auth.admins).toEqual(['alice']);
    expect(config.auth.loginThrottle).toEqual({ freeFailures: 5, maxDelaySeconds: 30 });
    expect(config.spawner.cmd).toEqual([join(etc, 'bin', 'singleuser'), '--debug']);
    expect(config.spawner.workDir).toBe(join(etc, 'homes', '{username}'));
    expect(config.spawner.environment).toEqual({ FOO: 'bar' });
    expect(config.profiles.map((p) => p.slug)).toEqual(['small', 'slice']);
    expect(config.profiles[1]).toEqual({
      slug: 'slice',
      displayName: 'Slice',
      kind: 'mig',
      backend: 'default',
      default: true,
      description: '',
      environment: {},
      pricePerHour: 0,
      groups: [],
      resources: { mig: { profile: '3g.20gb', count: 1 } },
    });
    expect(config.services).toEqual([
      { name: 'idle-culler', apiToken: 'c'.repeat(32), scopes: ['list:users', 'admin:servers'], admin: false },
    ]);
  });

  it('keeps bare command names for PATH lookup and an in-memory database as is', () => {
    const config = loadConfig(configFile('spawner: { cmd: [jupyterhub-singleuser] }\ndb: { path: ":memory:" }\n'), { env: {} });
    expect(config.spawner.cmd).toEqual(['jupyterhub-singleuser']);
    expect(config.db).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('turns the process metrics off with hub.processMetrics: false, and names the key of a wrong value', () => {
    expect(loadConfig(configFile('hub: { processMetrics: false }\n'), { env: {} }).hub.processMetrics).toBe(false);
    expect(() => loadConfig(configFile('hub: { processMetrics: sometimes }\n'), { env: {} })).toThrow(/hub\.processMetrics/);
  });

  it('leaves a connect URL that already ends with the hub prefix alone', () => {
    const config = loadConfig(configFile('hub: { connectUrl: "http://hub.example:8081/hub/" }\n'), { env: {} });
    expect(config.hub.connectUrl).toBe('http://hub.example:8081/hub/');
  });

  it('takes postgres URLs, file tokens and services without a set variable', () => {
    const config = loadConfig(
      configFile(
        [
          'db: { kind: postgres, url: "postgres://hub@db/hub" }',
          'proxy: { kind: chp, apiUrl: "http://127.0.0.1:8001", authToken: from-file }',
          'services:',
          '  - { name: a, apiToken: 0123456789abcdef, admin: true }',
          '  - { name: b, apiTokenEnv: UNSET_VARIABLE }',
        ].join('\n'),
      ),
      { env: { CONFIGPROXY_AUTH_TOKEN: 'from-env' } },
    );
    expect(config.db).toEqual({ kind: 'postgres', url: 'postgres://hub@db/hub' });
    expect(config.proxy.kind === 'chp' && config.proxy.authToken).toBe('from-file');
    expect(config.services).toEqual([
      { name: 'a', apiToken: '0123456789abcdef', scopes: [], admin: true },
      { name: 'b', apiToken: null, scopes: [], admin: false },
    ]);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig(null, { cwd: sandbox.dir, env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.hub.public)).toBe(true);
    expect(Object.isFrozen(config.spawner.cmd)).toBe(true);
    expect(Object.isFrozen(config.profiles)).toBe(true);
    expect(Object.isFrozen(config.profiles[1]?.resources?.mig)).toBe(true);
    expect(() => {
      (config.hub.public as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.spawner.envKeep as string[]).push('HOME');
    }).toThrow(TypeError);
  });
});

describe('loadConfig errors', () => {
  it('names the key path and the reason of a schema error', () => {
    expect(problemsOf('hub:\n  public:\n    port: 70000\n')).toEqual(['config error at hub.public.port: must be <= 65535']);
  });

  it('reports unknown keys by name', () => {
    const profiles = DEFAULT_PROFILES.slice(0, 2).map((p) => ({ ...p }));
    const text = JSON.stringify({ profiles: [...profiles, { slug: 'x', displayName: 'X', kind: 'cpu', gpuz: 1 }], extra: true });
    expect(problemsOf(text)).toEqual([
      'config error at (top level): unknown key "extra"',
      'config error at profiles[2]: unknown key "gpuz"',
    ]);
  });

  it('shows every error, one per line', () => {
    let message = '';
    try {
      loadConfig(configFile('hub: { logLevel: loud, baseUrl: jh, cookieMaxAgeDays: 0 }\ndb: { kind: mysql }\nservices: [{}]\n'), {
        env: {},
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      message = err.message;
    }
    expect(message.split('\n').sort()).toEqual(
      [
        'config error at hub.baseUrl: must match pattern "^/(.*/)?$"',
        'config error at hub.cookieMaxAgeDays: must be > 0',
        'config error at hub.logLevel: must be one of "trace", "debug", "info", "warn", "error", "fatal"',
        'config error at db.kind: must be one of "sqlite", "postgres"',
        'config error at services[0]: missing required key "name"',
      ].sort(),
    );
  });

  it('reports wrong types and a document that is not a mapping', () => {
    expect(problemsOf('hub: { public: { port: "80" } }\n')).toEqual(['config error at hub.public.port: must be integer']);
    expect(problemsOf('- a\n- b\n')).toEqual(['config error at (top level): must be object']);
    expect(problemsOf('proxy: { kind: chp, apiUrl: "not a url", authToken: t }\n')).toEqual([
      'config error at proxy.apiUrl: must be an absolute URL (e.g. http://host:port)',
    ]);
  });

  it('names the line of a YAML syntax error', () => {
    const lines = problemsOf('hub:\n  public:\n    port: [8000\nproxy: {}\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config error in .*hub\.yaml at line \d+, column \d+: /);
    expect(problemsOf('hub: {}\nhub: {}\n')[0]).toMatch(/at line 2, column 1: Map keys must be unique/);
  });

  it('reports a file that cannot be read', () => {
    expect(() => loadConfig(join(sandbox.dir, 'missing.yaml'), { env: {} })).toThrow(/config error: cannot read .*missing\.yaml \(ENOENT\)/);
  });

  it('refuses duplicate profile slugs and more than one default profile', () => {
    const text = [
      'profiles:',
      '  - { slug: a, displayName: A, kind: cpu, default: true }',
      '  - { slug: b, displayName: B, kind: cpu, default: true }',
      '  - { slug: a, displayName: A again, kind: cpu }',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'config error at profiles[1].default: more than one default profile (profiles[0] is one too)',
      'config error at profiles[2].slug: duplicate slug "a" (also profiles[0])',
    ]);
  });

  it('refuses an empty profile list', () => {
    expect(problemsOf('profiles: []\n')).toEqual(['config error at profiles: must NOT have fewer than 1 items']);
  });

  it('reads hub.trustedProxies and hub.cookieSecure, and refuses entries that are not addresses or CIDR blocks', () => {
    const config = loadConfig(configFile('hub: { trustedProxies: [10.0.0.0/8, "::1", "fd00::/8"], cookieSecure: "true" }\n'), { env: {}, cwd: sandbox.dir });
    expect(config.hub.trustedProxies).toEqual(['10.0.0.0/8', '::1', 'fd00::/8']);
    expect(config.hub.cookieSecure).toBe('true');
    expect(loadConfig(configFile('{}\n'), { env: {}, cwd: sandbox.dir }).hub).toMatchObject({ trustedProxies: [], cookieSecure: 'auto' });
    expect(problemsOf('hub: { trustedProxies: ["10.0.0.0/33", "1.2.3", "fd00::/129"] }\n')).toEqual([
      'config error at hub.trustedProxies[0]: prefix length /33 is longer than 32',
      'config error at hub.trustedProxies[1]: "1.2.3" is not an IP address or CIDR block',
      'config error at hub.trustedProxies[2]: prefix length /129 is longer than 128',
    ]);
    expect(problemsOf('hub: { cookieSecure: yes }\n')[0]).toContain('hub.cookieSecure');
  });

  it('refuses a postgres database without a URL', () => {
    expect(problemsOf('db: { kind: postgres }\n')).toEqual(['config error at db.url: required when db.kind is postgres (or db.urlEnv, naming an environment variable that holds it)']);
  });

  it('refuses configurable-http-proxy without an API URL or a token', () => {
    expect(problemsOf('proxy: { kind: chp }\n')).toEqual([
      'config error at proxy.apiUrl: required when proxy.kind is chp',
      'config error at proxy.authToken: required when proxy.kind is chp: set authToken, or the environment variable CONFIGPROXY_AUTH_TOKEN',
    ]);
    expect(problemsOf('proxy: { kind: chp, apiUrl: "http://127.0.0.1:8001", authTokenEnv: MY_TOKEN }\n', { CONFIGPROXY_AUTH_TOKEN: 'x' })).toEqual([
      'config error at proxy.authToken: required when proxy.kind is chp: set authToken, or the environment variable MY_TOKEN',
    ]);
  });

  it('refuses services without a token, with two, with a short one or with a duplicate name', () => {
    const text = [
      'services:',
      '  - { name: none }',
      '  - { name: both, apiToken: 0123456789abcdef, apiTokenEnv: T }',
      '  - { name: short, apiTokenEnv: SHORT }',
      '  - { name: none, apiToken: 0123456789abcdef }',
      '  - { name: tiny, apiToken: abc }',
    ].join('\n');
    expect(problemsOf(text, { SHORT: 'abc' })).toEqual([
      'config error at services[4].apiToken: must NOT have fewer than 16 characters',
    ]);
    expect(problemsOf(text.split('\n').slice(0, 5).join('\n'), { SHORT: 'abc' })).toEqual([
      'config error at services[0]: needs apiToken or apiTokenEnv',
      'config error at services[1]: set apiToken or apiTokenEnv, not both',
      'config error at services[2].apiTokenEnv: the token in SHORT is shorter than 16 characters',
      'config error at services[3].name: duplicate service name "none" (also services[0])',
    ]);
  });

  it('refuses a guarantee above the limit', () => {
    const text = [
      'profiles:',
      '  - slug: a',
      '    displayName: A',
      '    kind: cpu',
      '    resources: { cpu: { guarantee: 4, limit: 2 }, memory: { guarantee: 2Gi, limit: 2G } }',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'config error at profiles[0].resources.cpu: guarantee (4) is greater than limit (2)',
      'config error at profiles[0].resources.memory: guarantee (2Gi) is greater than limit (2G)',
    ]);
  });

  it('refuses MIG and GPU resources on a profile of another kind', () => {
    const text = [
      'profiles:',
      '  - { slug: a, displayName: A, kind: cpu, resources: { mig: { profile: 1g.5gb } } }',
      '  - { slug: b, displayName: B, kind: mig, resources: { mig: { profile: 1g.5gb }, gpus: { count: 1 } } }',
      '  - { slug: c, displayName: C, kind: gpu }',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'config error at profiles[0].resources.mig: only allowed for kind mig (this profile is kind cpu)',
      'config error at profiles[1].resources.gpus: only allowed for kind gpu (this profile is kind mig)',
      'config error at profiles[2].resources.gpus: required for kind gpu',
    ]);
  });

  it('refuses inconsistent hub settings and invalid admin names', () => {
    const text = [
      'hub: { apiPageDefaultLimit: 500, public: { port: 9000 }, internal: { port: 9000 } }',
      'auth: { admins: [ok, "bad/name"], initialAdmin: "../root" }',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'config error at hub.apiPageDefaultLimit: must be <= hub.apiPageMaxLimit (200)',
      'config error at hub.internal.port: same address as hub.public (127.0.0.1:9000)',
      'config error at auth.admins[1]: "bad/name" is not a valid user name',
      'config error at auth.initialAdmin: "../root" is not a valid user name',
    ]);
  });

  it('is a ConfigError that records the file', () => {
    const file = configFile('db: { kind: postgres }\n');
    expect(() => loadConfig(file, { env: {} })).toThrow(ConfigError);
    try {
      loadConfig(file, { env: {} });
    } catch (err) {
      expect(err instanceof ConfigError && err.file).toBe(file);
      expect(err instanceof ConfigError && err.name).toBe('ConfigError');
    }
  });
});
