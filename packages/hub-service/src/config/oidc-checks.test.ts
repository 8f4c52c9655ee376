import { stringify } from 'yaml';
import { loadConfig } from './load';
import { useConfigSandbox } from './testing/config-sandbox';

/** `auth.oidc` through the real loader: schema, semantic checks (each naming its key) and resolution. */
const sandbox = useConfigSandbox('clusterhub-oidc-config-');

/** The YAML of a hub with `auth.kind: oidc` and the given `auth.oidc` section. */
function oidcConfig(oidc: Record<string, unknown> | undefined): string {
  return stringify({ hub: { dataDir: 'data' }, auth: { kind: 'oidc', ...(oidc === undefined ? {} : { oidc }) } });
}

function load(oidc: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = {}): ReturnType<typeof loadConfig> {
  return sandbox.load(oidcConfig(oidc), env);
}

function problemsOf(oidc: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = {}): string[] {
  return sandbox.problemsOf(oidcConfig(oidc), env);
}

const minimal = { issuer: 'https://login.example.org/application/o/jupyter/', clientId: 'hub', allowedGroups: ['cps-students'] };

describe('auth.oidc config', () => {
  it('resolves defaults and reads the client secret from the named variable', () => {
    const config = load({ ...minimal, clientSecretEnv: 'HUB_OIDC_SECRET', adminGroups: ['jupyter_admin'] }, { HUB_OIDC_SECRET: 's3cret' });
    expect(config.auth.kind).toBe('oidc');
    expect(config.auth.oidc).toEqual({
      protocol: 'oidc',
      issuer: minimal.issuer,
      authorizationUrl: null,
      tokenUrl: null,
      userinfoUrl: null,
      jwksUrl: null,
      clientId: 'hub',
      clientSecret: 's3cret',
      callbackUrl: null,
      scopes: ['openid', 'profile', 'email', 'groups'],
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      allowAll: false,
      allowedUsers: [],
      allowedGroups: ['cps-students'],
      adminGroups: ['jupyter_admin'],
      manageGroups: true,
      displayName: 'your identity provider',
      timeoutSeconds: 10,
      refreshGroupsSeconds: 0,
      extraAuthorizeParams: {},
    });
  });

  it('has no oidc settings for the local kind', () => {
    const file = sandbox.file('auth: { kind: local }\n');
    expect(loadConfig(file, { env: {}, cwd: sandbox.dir }).auth.oidc).toBeNull();
  });

  it.each<[string, Record<string, unknown> | undefined, NodeJS.ProcessEnv, string]>([
    ['the section', undefined, {}, 'config error at auth.oidc: required when auth.kind is oidc'],
    ['the client id', { issuer: minimal.issuer, allowAll: true }, {}, 'config error at auth.oidc.clientId: required when auth.kind is oidc'],
    ['the issuer (oidc)', { clientId: 'hub', allowAll: true }, {}, 'config error at auth.oidc.issuer: required when auth.oidc.protocol is oidc'],
    [
      'the userinfo URL (oauth2)',
      { protocol: 'oauth2', clientId: 'hub', authorizationUrl: 'https://p/auth', tokenUrl: 'https://p/token', allowAll: true },
      {},
      'config error at auth.oidc.userinfoUrl: required when auth.oidc.protocol is oauth2',
    ],
    [
      'the token URL beside the authorization URL',
      { ...minimal, authorizationUrl: 'https://p/auth', jwksUrl: 'https://p/jwks' },
      {},
      'config error at auth.oidc.tokenUrl: required with auth.oidc.authorizationUrl',
    ],
    [
      'the key set with explicit OIDC endpoints',
      { ...minimal, authorizationUrl: 'https://p/auth', tokenUrl: 'https://p/token' },
      {},
      'config error at auth.oidc.jwksUrl: required with explicit endpoints',
    ],
    ['a set secret variable', { ...minimal, clientSecretEnv: 'NOT_SET' }, {}, 'config error at auth.oidc.clientSecretEnv: the environment variable NOT_SET is not set'],
    ['one secret source', { ...minimal, clientSecret: 'a', clientSecretEnv: 'S' }, { S: 'b' }, 'config error at auth.oidc.clientSecret: set clientSecret or clientSecretEnv, not both'],
    ['an allow rule', { issuer: minimal.issuer, clientId: 'hub' }, {}, 'config error at auth.oidc.allowedGroups: nobody could log in'],
    ['a valid allowed user', { ...minimal, allowedUsers: ['ok', 'bad/name'] }, {}, 'config error at auth.oidc.allowedUsers[1]: "bad/name" is not a valid user name'],
    ['the callback path', { ...minimal, callbackUrl: 'https://hub.example.org/callback' }, {}, 'config error at auth.oidc.callbackUrl: must end in hub/oauth_callback'],
  ])('requires %s', (_what, oidc, env, expected) => {
    expect(problemsOf(oidc, env).some((line) => line.startsWith(expected))).toBe(true);
  });

  it('refuses unknown keys and wrong types through the schema, naming the key', () => {
    const problems = problemsOf({ ...minimal, clientID: 'typo', allowAll: 'yes', issuer: 'not a url' }).join('\n');
    expect(problems).toMatch(/auth\.oidc.*clientID/);
    expect(problems).toMatch(/auth\.oidc\.allowAll/);
    expect(problems).toMatch(/auth\.oidc\.issuer/);
  });

  it('reads extraAuthorizeParams, and refuses the parameters the hub sets, non-strings and odd names, naming the key', () => {
    expect(load({ ...minimal, extraAuthorizeParams: { prompt: 'consent', access_type: 'offline' } }, {}).auth.oidc?.extraAuthorizeParams).toEqual({ prompt: 'consent', access_type: 'offline' });
    expect(problemsOf({ ...minimal, extraAuthorizeParams: { scope: 'openid offline_access', State: 'x' } })).toEqual([
      'config error at auth.oidc.extraAuthorizeParams.scope: the hub sets scope itself (use auth.oidc.scopes)',
      'config error at auth.oidc.extraAuthorizeParams.State: the hub sets State itself (it cannot be overridden)',
    ]);
    expect(problemsOf({ ...minimal, extraAuthorizeParams: { prompt: 1 } }).join('\n')).toMatch(/config error at auth\.oidc\.extraAuthorizeParams\.prompt/);
    expect(problemsOf({ ...minimal, extraAuthorizeParams: { 'a b': 'x' } }).join('\n')).toMatch(/config error at auth\.oidc\.extraAuthorizeParams/);
  });

  it('reads refreshGroupsSeconds (default 0: off) and refuses a negative, fractional or huge one naming the key', () => {
    expect(load({ ...minimal, refreshGroupsSeconds: 900 }, {}).auth.oidc?.refreshGroupsSeconds).toBe(900);
    for (const bad of [-1, 1.5, 2592001, 'often']) {
      expect(problemsOf({ ...minimal, refreshGroupsSeconds: bad }).join('\n')).toMatch(/config error at auth\.oidc\.refreshGroupsSeconds/);
    }
  });
});
