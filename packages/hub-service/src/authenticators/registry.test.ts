import { openStore } from '../store/open';
import type { Store } from '../store/store';
import type { ResolvedConfig, ResolvedLdapConfig, ResolvedOidcConfig, ResolvedPamConfig } from '../config/types';
import { hashPassword } from './local/password';
import { createAuthenticator } from './registry';

let store: Store;

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

const authConfig: ResolvedConfig['auth'] = {
  kind: 'local',
  admins: [],
  adminGroups: [],
  initialAdmin: 'admin',
  loginThrottle: { freeFailures: 1, maxDelaySeconds: 30 },
  oidc: null,
  ldap: null,
  pam: null,
};

describe('createAuthenticator', () => {
  it('builds the local authenticator on the store accounts, with the configured throttle and clock', async () => {
    await store.users.create({ name: 'alice' });
    await store.accounts.set('alice', await hashPassword('s3cret-pass'));
    let now = 1_000_000;
    const auth = createAuthenticator(authConfig, { store, clock: () => now });
    expect(auth.kind).toBe('local');
    expect(await auth.authenticate({ username: 'alice', password: 's3cret-pass', remoteAddress: '127.0.0.1' })).toEqual({
      ok: true,
      username: 'alice',
    });
    expect((await auth.authenticate({ username: 'alice', password: 'wrong', remoteAddress: '127.0.0.1' })).ok).toBe(false);
    expect(await auth.authenticate({ username: 'alice', password: 's3cret-pass', remoteAddress: '127.0.0.1' })).toEqual({
      ok: false,
      reason: 'too many failed logins',
      retryAfterSeconds: 1,
    });
    now += 1000;
    expect((await auth.authenticate({ username: 'alice', password: 's3cret-pass', remoteAddress: '127.0.0.1' })).ok).toBe(true);
  });

  it('builds the OIDC authenticator (a redirect login; form logins refused) without contacting the provider', async () => {
    const oidc: ResolvedOidcConfig = {
      protocol: 'oidc',
      issuer: 'http://127.0.0.1:9/issuer',
      authorizationUrl: null,
      tokenUrl: null,
      userinfoUrl: null,
      jwksUrl: null,
      clientId: 'hub',
      clientSecret: null,
      callbackUrl: null,
      scopes: ['openid'],
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      allowAll: true,
      allowedUsers: [],
      allowedGroups: [],
      adminGroups: [],
      manageGroups: true,
      displayName: 'Campus login',
      timeoutSeconds: 5,
      refreshGroupsSeconds: 0,
      extraAuthorizeParams: {},
    };
    const auth = createAuthenticator({ ...authConfig, kind: 'oidc', oidc }, { store });
    expect(auth.kind).toBe('oidc');
    expect(auth.redirect?.buttonLabel).toBe('Sign in with Campus login');
    expect(await auth.authenticate({ username: 'alice', password: 'x', remoteAddress: '127.0.0.1' })).toMatchObject({ ok: false });
  });

  it('refuses kind oidc without its section', () => {
    expect(() => createAuthenticator({ ...authConfig, kind: 'oidc' }, { store })).toThrow(/auth\.oidc: required/);
  });

  it('builds the LDAP authenticator without contacting the directory, and refuses kind ldap without its section', () => {
    const ldap: ResolvedLdapConfig = {
      url: 'ldaps://127.0.0.1:9',
      startTls: false,
      caFile: null,
      allowInsecure: false,
      timeoutSeconds: 5,
      userDnTemplate: 'uid={username},dc=example,dc=org',
      userSearch: null,
      groupSearch: null,
      allowAll: true,
      allowedUsers: [],
      allowedGroups: [],
      adminGroups: [],
      manageGroups: true,
    };
    expect(createAuthenticator({ ...authConfig, kind: 'ldap', ldap }, { store }).kind).toBe('ldap');
    expect(() => createAuthenticator({ ...authConfig, kind: 'ldap' }, { store })).toThrow(/auth\.ldap: required/);
  });

  it('builds the PAM authenticator without running the helper, and refuses kind pam without its section', () => {
    const pam: ResolvedPamConfig = {
      service: 'login',
      python: 'python3',
      timeoutSeconds: 5,
      minUid: 1000,
      allowAll: true,
      allowedUsers: [],
      allowedGroups: [],
      adminGroups: [],
      manageGroups: false,
    };
    expect(createAuthenticator({ ...authConfig, kind: 'pam', pam }, { store }).kind).toBe('pam');
    expect(() => createAuthenticator({ ...authConfig, kind: 'pam' }, { store })).toThrow(/auth\.pam: required/);
  });

  it('refuses a kind this build does not know', () => {
    const bogus = { ...authConfig, kind: 'kerberos' } as unknown as ResolvedConfig['auth'];
    expect(() => createAuthenticator(bogus, { store })).toThrow(/auth\.kind: unknown authenticator kind "kerberos"/);
  });
});
