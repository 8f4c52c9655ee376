import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { SUFFIX, personLdif, startTestSlapd, type TestSlapd } from './harness/ldap/slapd';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';

/**
 * Login form checked against a real slapd (search-then-bind over StartTLS with the test CA), through
 * the hub's public proxy: the seed's groups from groupOfNames (member) and posixGroup (memberUid)
 * entries decide access and admin, group changes count at the next login, wrong and unknown
 * credentials look alike, filter injection does not widen the search, a stopped slapd is told apart.
 */
const AS_ROOT = process.getuid?.() === 0;
const SERVICE_ENV = 'CLUSTERHUB_TEST_LDAP_SERVICE_PW';
const SERVICE_PW = 'service-secret-0123';

const USERS = { alice: 'alice-pw-1', bob: 'bob-pw-2', carol: 'carol-pw-3', dave: 'dave-pw-4' };

(AS_ROOT ? describe : describe.skip)('LDAP login through the proxy (real slapd)', () => {
  let slapd: TestSlapd;
  let t: TestHub;

  beforeAll(async () => {
    slapd = await startTestSlapd();
    await slapd.add(
      [
        personLdif('alice', USERS.alice, 20001),
        personLdif('bob', USERS.bob, 20002),
        personLdif('carol', USERS.carol, 20003),
        personLdif('dave', USERS.dave, 20004),
        `dn: cn=reader,ou=services,${SUFFIX}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${SERVICE_PW}\n`,
        `dn: cn=cps-students,ou=groups,${SUFFIX}\nobjectClass: groupOfNames\ncn: cps-students\nmember: uid=alice,ou=people,${SUFFIX}\n`,
        `dn: cn=cpsHPCAccess,ou=groups,${SUFFIX}\nobjectClass: posixGroup\ncn: cpsHPCAccess\ngidNumber: 30001\nmemberUid: bob\n`,
        `dn: cn=jupyter_admin,ou=groups,${SUFFIX}\nobjectClass: groupOfNames\ncn: jupyter_admin\nmember: uid=carol,ou=people,${SUFFIX}\n`,
      ].join('\n'),
    );
    process.env[SERVICE_ENV] = SERVICE_PW;
    t = await startTestHub({
      config: {
        auth: {
          kind: 'ldap',
          ldap: {
            url: slapd.url,
            startTls: true,
            caFile: slapd.caFile,
            userSearch: {
              baseDn: `ou=people,${SUFFIX}`,
              filter: '(&(objectClass=inetOrgPerson)(uid={username}))',
              bindDn: `cn=reader,ou=services,${SUFFIX}`,
              bindPasswordEnv: SERVICE_ENV,
            },
            groupSearch: { baseDn: `ou=groups,${SUFFIX}` },
            allowedGroups: ['cps-students', 'cpsHPCAccess'],
            adminGroups: ['jupyter_admin'],
          },
        },
      },
      overrides: { spawner: new FakeSpawner() },
    });
  });

  afterAll(async () => {
    await t?.stop();
    await slapd?.destroy();
    delete process.env[SERVICE_ENV];
  });

  /** The user model as an admin reads it (status 404 when the hub has no such user). */
  async function userModel(name: string): Promise<{ status: number; admin?: boolean; groups?: string[] }> {
    const res = await fetch(`${t.apiUrl}/users/${encodeURIComponent(name)}`, { headers: { authorization: `token ${t.adminToken}` } });
    const body = (await res.json()) as { admin?: boolean; groups?: string[] };
    return { status: res.status, ...body };
  }

  /** The login form sent through the public proxy by a fresh browser. */
  async function login(username: string, password: string): Promise<TestResponse> {
    return new BrowserClient().login(t.publicUrl, username, password);
  }

  /** The error shown on the login page. */
  function loginError(page: TestResponse): string | undefined {
    return /id="login-error">([^<]*)</.exec(page.text)?.[1];
  }

  it('signs a member of an allowed groupOfNames group in, with the directory groups as hub groups', async () => {
    const page = await login('Alice', USERS.alice);
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/hub/home');
    expect(await userModel('alice')).toMatchObject({ status: 200, admin: false, groups: ['cps-students'] });
  });

  it('reads posixGroup memberUid groups too', async () => {
    expect((await login('bob', USERS.bob)).status).toBe(200);
    expect(await userModel('bob')).toMatchObject({ status: 200, admin: false, groups: ['cpsHPCAccess'] });
  });

  it('makes members of an admin group admins', async () => {
    expect((await login('carol', USERS.carol)).status).toBe(200);
    expect(await userModel('carol')).toMatchObject({ status: 200, admin: true, groups: ['jupyter_admin'] });
  });

  it('refuses a user in no allowed group, saying why, and creates nothing', async () => {
    const page = await login('dave', USERS.dave);
    expect(page.status).toBe(403);
    expect(loginError(page)).toContain('dave is not allowed on this hub');
    expect((await userModel('dave')).status).toBe(404);
  });

  it('answers a wrong password and an unknown user with the same page as a wrong local password', async () => {
    const wrong = await login('alice', 'not-her-password');
    const unknown = await login('zed', 'whatever-password');
    const local = await login('admin', 'not-the-admin-password');
    expect([wrong.status, unknown.status]).toEqual([403, 403]);
    expect(loginError(wrong)).toBe('Invalid username or password.');
    expect(loginError(unknown)).toBe(loginError(wrong));
    expect(loginError(local)).toBe(loginError(wrong));
    expect((await userModel('zed')).status).toBe(404);
  });

  it('does not let *, )( or NUL in the user name widen the search', async () => {
    // Unescaped, each of these filters would find alice's entry alone and her password would bind.
    for (const name of ['alic*', '*', 'x)(|(uid=alice)', 'x)(uid=alice', 'alice\u0000', '*)(uid=*))(|(uid=*']) {
      const page = await login(name, USERS.alice);
      expect({ name, status: page.status, error: loginError(page) }).toEqual({ name, status: 403, error: 'Invalid username or password.' });
    }
    const users = (await (await fetch(`${t.apiUrl}/users`, { headers: { authorization: `token ${t.adminToken}` } })).json()) as { name: string }[];
    expect(users.map((u) => u.name).filter((n) => /[*()\0]/.test(n))).toEqual([]);
  });

  it('applies group changes in the directory at the next login', async () => {
    await slapd.modify(
      [
        `dn: cn=cps-students,ou=groups,${SUFFIX}\nchangetype: modify\nadd: member\nmember: uid=dave,ou=people,${SUFFIX}\n`,
        `dn: cn=jupyter_admin,ou=groups,${SUFFIX}\nchangetype: modify\ndelete: member\nmember: uid=carol,ou=people,${SUFFIX}\n-\nadd: member\nmember: uid=alice,ou=people,${SUFFIX}\n`,
        `dn: cn=cpsHPCAccess,ou=groups,${SUFFIX}\nchangetype: modify\nadd: memberUid\nmemberUid: carol\n`,
      ].join('\n'),
    );
    expect((await login('dave', USERS.dave)).status).toBe(200);
    expect(await userModel('dave')).toMatchObject({ admin: false, groups: ['cps-students'] });
    expect((await login('carol', USERS.carol)).status).toBe(200);
    expect(await userModel('carol')).toMatchObject({ admin: false, groups: ['cpsHPCAccess'] });
    expect((await login('alice', USERS.alice)).status).toBe(200);
    expect(await userModel('alice')).toMatchObject({ admin: true, groups: ['cps-students', 'jupyter_admin'] });
  });

  it('throttles repeated wrong passwords like local logins (auth.loginThrottle): then even the right one waits', async () => {
    for (let i = 0; i < 3; i += 1) expect((await login('bob', `wrong-${i}`)).status).toBe(403);
    const page = await login('bob', USERS.bob);
    expect(page.status).toBe(429);
    expect(loginError(page)).toMatch(/Too many failed attempts/);
  });

  it('says the login service is unavailable while slapd is stopped, and works again once it is back', async () => {
    await slapd.stop();
    try {
      const page = await login('alice', USERS.alice);
      expect(page.status).toBe(503);
      expect(loginError(page)).toContain('login service is unavailable');
      // Unknown names get the very same answer: nothing about the account shows.
      const unknown = await login('zed', 'whatever-password');
      expect([unknown.status, loginError(unknown)]).toEqual([503, loginError(page)]);
    } finally {
      await slapd.start();
    }
    expect((await login('alice', USERS.alice)).status).toBe(200);
  });
});
