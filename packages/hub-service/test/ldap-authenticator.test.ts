import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { ResolvedLdapConfig } from '../src/config/types';
import { LdapAuthenticator } from '../src/authenticators/ldap/ldap-authenticator';
import type { AuthOutcome } from '../src/authenticators/authenticator';
import { SUFFIX, personLdif, startTestSlapd, type TestSlapd } from './harness/ldap/slapd';

/**
 * The LDAP authenticator against a real slapd without a hub: bind with a DN template (as the user,
 * groups read as the user), ldaps:// and StartTLS with the test CA, a CA that did not sign the
 * server's certificate, plain ldap:// (allowInsecure), DN injection, and the empty password.
 */
const AS_ROOT = process.getuid?.() === 0;

(AS_ROOT ? describe : describe.skip)('LdapAuthenticator (real slapd)', () => {
  let slapd: TestSlapd;

  beforeAll(async () => {
    slapd = await startTestSlapd();
    await slapd.add(
      [
        personLdif('erin', 'erin-pw', 21001),
        // An entry whose DN a crafted user name could reach if the template did not escape it.
        `dn: ou=admins,ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: admins\n`,
        `dn: uid=x,ou=admins,ou=people,${SUFFIX}\nobjectClass: account\nobjectClass: simpleSecurityObject\nuid: x\nuserPassword: x-pw\n`,
        `dn: cn=lab,ou=groups,${SUFFIX}\nobjectClass: groupOfNames\ncn: lab\nmember: uid=erin,ou=people,${SUFFIX}\n`,
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await slapd?.destroy();
  });

  /** A template-bind config over `url` with `extra` settings. */
  function config(extra: Partial<ResolvedLdapConfig>): ResolvedLdapConfig {
    return {
      url: slapd.url,
      startTls: false,
      caFile: null,
      allowInsecure: true,
      timeoutSeconds: 5,
      userDnTemplate: `uid={username},ou=people,${SUFFIX}`,
      userSearch: null,
      groupSearch: { baseDn: `ou=groups,${SUFFIX}`, filter: '(|(member={dn})(memberUid={username}))', nameAttribute: 'cn' },
      allowAll: false,
      allowedUsers: [],
      allowedGroups: ['lab'],
      adminGroups: [],
      manageGroups: true,
      ...extra,
    };
  }

  function login(cfg: ResolvedLdapConfig, username: string, password: string): Promise<AuthOutcome> {
    return new LdapAuthenticator({ config: cfg }).authenticate({ username, password, remoteAddress: '127.0.0.1' });
  }

  it('binds with the DN template and reads the groups as the user', async () => {
    expect(await login(config({}), ' Erin ', 'erin-pw')).toEqual({ ok: true, username: 'erin', groups: ['lab'] });
  });

  it('works over ldaps:// and StartTLS with the CA file', async () => {
    expect(await login(config({ url: slapd.ldapsUrl, caFile: slapd.caFile, allowInsecure: false }), 'erin', 'erin-pw')).toMatchObject({ ok: true });
    expect(await login(config({ startTls: true, caFile: slapd.caFile, allowInsecure: false }), 'erin', 'erin-pw')).toMatchObject({ ok: true });
  });

  it('refuses a server whose certificate the CA file did not sign, as unavailable', async () => {
    for (const cfg of [config({ url: slapd.ldapsUrl, caFile: slapd.otherCaFile }), config({ startTls: true, caFile: slapd.otherCaFile })]) {
      const outcome = await login(cfg, 'erin', 'erin-pw');
      expect(outcome).toMatchObject({ ok: false, unavailable: true });
      expect(outcome.ok ? '' : outcome.reason).toMatch(/certificate/i);
    }
  });

  it('escapes the user name in the DN: a crafted name cannot bind as another entry', async () => {
    // Unescaped, "x,ou=admins" would make the DN uid=x,ou=admins,ou=people,… and x-pw would bind.
    expect(await login(config({ allowAll: true }), 'x,ou=admins', 'x-pw')).toEqual({ ok: false, reason: 'wrong password or unknown user' });
  });

  it('never sends an empty password (an unauthenticated bind would succeed)', async () => {
    expect(await login(config({ allowAll: true }), 'erin', '')).toEqual({ ok: false, reason: 'malformed user name or password' });
  });

  it('treats a wrong password and an unknown user alike', async () => {
    const wrong = await login(config({}), 'erin', 'nope');
    const unknown = await login(config({}), 'nobody-here', 'nope');
    expect(wrong).toEqual({ ok: false, reason: 'wrong password or unknown user' });
    expect(unknown).toEqual(wrong);
  });

  it('reports a server that accepts the connection but never answers as unavailable, after timeoutSeconds', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const outcome = await login(config({ url: `ldap://127.0.0.1:${port}`, timeoutSeconds: 0.3 }), 'erin', 'erin-pw');
      expect(outcome).toMatchObject({ ok: false, unavailable: true, reason: expect.stringMatching(/^directory unavailable at user bind: .*time/i) });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a port where nothing listens as unavailable', async () => {
    const outcome = await login(config({ url: 'ldap://127.0.0.1:1' }), 'erin', 'erin-pw');
    expect(outcome).toMatchObject({ ok: false, unavailable: true, message: expect.stringContaining('login service is unavailable') });
  });
});
