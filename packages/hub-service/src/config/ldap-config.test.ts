import { stringify } from 'yaml';
import { useConfigSandbox } from './testing/config-sandbox';

/** `auth.ldap` through the real loader: schema, the checks of ldap-config.ts (each naming its key) and resolution. */
const sandbox = useConfigSandbox('clusterhub-ldap-config-');

function ldapConfig(ldap: Record<string, unknown> | undefined): string {
  return stringify({ hub: { dataDir: 'data' }, auth: { kind: 'ldap', ...(ldap === undefined ? {} : { ldap }) } });
}

function problemsOf(ldap: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = {}): string[] {
  return sandbox.problemsOf(ldapConfig(ldap), env);
}

const template = 'uid={username},ou=people,dc=example,dc=org';
const minimal = { url: 'ldaps://ldap.example.org', userDnTemplate: template, allowAll: true };
const search = { baseDn: 'ou=people,dc=example,dc=org', bindDn: 'cn=reader,dc=example,dc=org', bindPasswordEnv: 'LDAP_READER_PW' };

describe('auth.ldap config', () => {
  it('resolves defaults, the service password from its variable and caFile against the config folder', () => {
    sandbox.file('PEM', 'ca.pem');
    const config = sandbox.load(
      ldapConfig({ url: 'ldap://ldap.example.org:389', startTls: true, caFile: 'ca.pem', userSearch: search, groupSearch: { baseDn: 'ou=groups,dc=example,dc=org' }, adminGroups: ['jupyter_admin'] }),
      { LDAP_READER_PW: 'reader-secret' },
    );
    expect(config.auth.kind).toBe('ldap');
    expect(config.auth.ldap).toEqual({
      url: 'ldap://ldap.example.org:389',
      startTls: true,
      caFile: `${sandbox.dir}/ca.pem`,
      allowInsecure: false,
      timeoutSeconds: 10,
      userDnTemplate: null,
      userSearch: { baseDn: search.baseDn, filter: '(uid={username})', bindDn: search.bindDn, bindPassword: 'reader-secret' },
      groupSearch: { baseDn: 'ou=groups,dc=example,dc=org', filter: '(|(member={dn})(memberUid={username}))', nameAttribute: 'cn' },
      allowAll: false,
      allowedUsers: [],
      allowedGroups: [],
      adminGroups: ['jupyter_admin'],
      manageGroups: true,
    });
  });

  it('keeps auth.ldap null for other kinds', () => {
    expect(sandbox.load(stringify({ hub: { dataDir: 'data' } })).auth.ldap).toBeNull();
  });

  it.each<[string, Record<string, unknown> | undefined, NodeJS.ProcessEnv, string]>([
    ['the section missing', undefined, {}, 'auth.ldap: required when auth.kind is ldap'],
    ['no url', { userDnTemplate: template, allowAll: true }, {}, 'auth.ldap.url: required'],
    ['plain ldap:// without TLS', { ...minimal, url: 'ldap://ldap.example.org' }, {}, 'auth.ldap.url: ldap:// sends passwords unencrypted'],
    ['StartTLS on ldaps://', { ...minimal, startTls: true }, {}, 'auth.ldap.startTls: not with ldaps://'],
    ['a CA file that is not there', { ...minimal, caFile: 'missing.pem' }, {}, 'auth.ldap.caFile: cannot read'],
    ['no way to find the user', { url: minimal.url, allowAll: true }, {}, 'auth.ldap.userDnTemplate: set userDnTemplate or userSearch'],
    ['both ways to find the user', { ...minimal, userSearch: search }, { LDAP_READER_PW: 'x' }, 'auth.ldap.userSearch: set userDnTemplate or userSearch, not both'],
    ['a template without {username}', { ...minimal, userDnTemplate: 'uid=x,dc=org' }, {}, 'auth.ldap.userDnTemplate: must contain {username}'],
    ['a search without baseDn', { url: minimal.url, allowAll: true, userSearch: { ...search, baseDn: undefined } }, { LDAP_READER_PW: 'x' }, 'auth.ldap.userSearch.baseDn: required'],
    ['a search without bindDn', { url: minimal.url, allowAll: true, userSearch: { ...search, bindDn: undefined } }, { LDAP_READER_PW: 'x' }, 'auth.ldap.userSearch.bindDn: required'],
    ['a filter without {username}', { url: minimal.url, allowAll: true, userSearch: { ...search, filter: '(uid=x)' } }, { LDAP_READER_PW: 'x' }, 'auth.ldap.userSearch.filter: must contain {username}'],
    ['the service password variable unset', { url: minimal.url, allowAll: true, userSearch: search }, {}, 'auth.ldap.userSearch.bindPasswordEnv: the environment variable LDAP_READER_PW is not set'],
    ['no service password variable', { url: minimal.url, allowAll: true, userSearch: { ...search, bindPasswordEnv: undefined } }, {}, 'auth.ldap.userSearch.bindPasswordEnv: required'],
    ['a group search without baseDn', { ...minimal, groupSearch: { nameAttribute: 'cn' } }, {}, 'auth.ldap.groupSearch.baseDn: required'],
    ['nobody allowed', { url: minimal.url, userDnTemplate: template }, {}, 'auth.ldap.allowedGroups: nobody could log in'],
    ['allowed groups without a group search', { ...minimal, allowAll: false, allowedGroups: ['lab'] }, {}, 'auth.ldap.groupSearch: required with allowedGroups or adminGroups'],
    ['an invalid allowed user', { ...minimal, allowedUsers: ['a/b'] }, {}, 'auth.ldap.allowedUsers[0]: "a/b" is not a valid user name'],
  ])('refuses %s, naming the key', (_what, ldap, env, expected) => {
    expect(problemsOf(ldap, env).join('\n')).toContain(`config error at ${expected}`);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a url that is not ldap', { ...minimal, url: 'https://ldap.example.org' }, 'auth.ldap.url'],
    ['a url with a path', { ...minimal, url: 'ldaps://ldap.example.org/dc=example' }, 'auth.ldap.url'],
    ['a zero timeout', { ...minimal, timeoutSeconds: 0 }, 'auth.ldap.timeoutSeconds'],
    ['an unknown key', { ...minimal, bindPassword: 'x' }, 'auth.ldap'],
    ['an unknown key in userSearch', { url: minimal.url, allowAll: true, userSearch: { ...search, password: 'x' } }, 'auth.ldap.userSearch'],
    ['a non-boolean allowInsecure', { ...minimal, allowInsecure: 'yes' }, 'auth.ldap.allowInsecure'],
  ])('refuses %s in the schema, naming the key', (_what, ldap, key) => {
    expect(problemsOf(ldap, { LDAP_READER_PW: 'x' }).join('\n')).toContain(key);
  });
});
