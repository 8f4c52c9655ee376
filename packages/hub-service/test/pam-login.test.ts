import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient, type TestResponse } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { accountPolicyFor, resolveAccount } from '../src/spawners/local-process/accounts';
import { PamAuthenticator } from '../src/authenticators/pam/pam-authenticator';
import { defaultPamPython } from '../src/config/pam-config';
import type { ResolvedPamConfig } from '../src/config/types';

/**
 * PAM login with real Unix accounts (useradd, chpasswd) and a PAM service file made by the test
 * (/etc/pam.d/clusterhub-test-<random>: pam_unix for auth and account), through the hub's public
 * proxy: correct password, wrong password, locked account, unknown user, a system account, Unix
 * groups as allowed and admin groups, and the hub user mapped onto the existing account (the
 * spawner's account lookup finds it, nothing is created). Needs root, as CI runs.
 */
const AS_ROOT = process.getuid?.() === 0;
const run = promisify(execFile);

const tag = randomBytes(3).toString('hex');
const SERVICE = `clusterhub-test-${tag}`;
const LAB = `chp${tag}-lab`;
const ADMINS = `chp${tag}-adm`;
const name = (who: string): string => `chp${tag}-${who}`;
const ALICE = name('alice');
const BOB = name('bob');
const CARL = name('carl');
const DORA = name('dora');
const SYS = name('sys');
const PASSWORDS: Record<string, string> = {
  [ALICE]: 'Al1ce pässwörd!',
  [BOB]: 'bob-password-2',
  [CARL]: 'carl-password-3',
  [DORA]: 'dora-password-4',
  [SYS]: 'sys-password-5',
};

/** uid of a Unix account, or null when there is none. */
async function uidOf(account: string): Promise<number | null> {
  try {
    const { stdout } = await run('getent', ['passwd', account]);
    return Number(stdout.split(':')[2]);
  } catch {
    return null;
  }
}

/** The test service with everyone allowed, and `extra` settings. */
function pamConfig(extra: Partial<ResolvedPamConfig>): ResolvedPamConfig {
  return {
    service: SERVICE,
    python: defaultPamPython(),
    timeoutSeconds: 10,
    minUid: 1000,
    allowAll: true,
    allowedUsers: [],
    allowedGroups: [],
    adminGroups: [],
    manageGroups: false,
    ...extra,
  };
}

(AS_ROOT ? describe : describe.skip)('PAM login through the proxy (real Unix accounts and PAM)', () => {
  let t: TestHub;

  beforeAll(async () => {
    writeFileSync(`/etc/pam.d/${SERVICE}`, 'auth required pam_unix.so nodelay\naccount required pam_unix.so\n');
    await run('groupadd', [LAB]);
    await run('groupadd', [ADMINS]);
    await run('useradd', ['-M', '-s', '/bin/false', '-G', LAB, ALICE]);
    await run('useradd', ['-M', '-s', '/bin/false', BOB]);
    await run('useradd', ['-M', '-s', '/bin/false', '-G', LAB, CARL]);
    await run('useradd', ['-M', '-s', '/bin/false', '-G', ADMINS, DORA]);
    await run('useradd', ['-r', '-M', '-s', '/bin/false', '-G', LAB, SYS]);
    const chpasswd = execFile('chpasswd');
    const done = new Promise<void>((resolve, reject) => chpasswd.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd ${code}`)))));
    chpasswd.stdin?.end(Object.entries(PASSWORDS).map(([user, pw]) => `${user}:${pw}\n`).join(''));
    await done;
    await run('usermod', ['-L', CARL]);
    t = await startTestHub({
      config: {
        auth: { kind: 'pam', pam: { service: SERVICE, allowedGroups: [LAB], adminGroups: [ADMINS], manageGroups: true } },
      },
      overrides: { spawner: new FakeSpawner() },
    });
  });

  afterAll(async () => {
    await t?.stop();
    for (const user of [ALICE, BOB, CARL, DORA, SYS]) await run('userdel', [user]).catch(() => undefined);
    for (const group of [LAB, ADMINS]) await run('groupdel', [group]).catch(() => undefined);
    rmSync(`/etc/pam.d/${SERVICE}`, { force: true });
  });

  async function userModel(user: string): Promise<{ status: number; admin?: boolean; groups?: string[] }> {
    const res = await fetch(`${t.apiUrl}/users/${encodeURIComponent(user)}`, { headers: { authorization: `token ${t.adminToken}` } });
    const body = (await res.json()) as { admin?: boolean; groups?: string[] };
    return { status: res.status, ...body };
  }

  function login(user: string, password: string): Promise<TestResponse> {
    return new BrowserClient().login(t.publicUrl, user, password);
  }

  function loginError(page: TestResponse): string | undefined {
    return /id="login-error">([^<]*)</.exec(page.text)?.[1];
  }

  it('signs an account in with its password; the hub user is that existing Unix account', async () => {
    const uid = await uidOf(ALICE);
    const page = await login(ALICE.toUpperCase(), PASSWORDS[ALICE] ?? '');
    expect(page.status).toBe(200);
    expect(new URL(page.url).pathname).toBe('/hub/home');
    const model = await userModel(ALICE);
    expect(model).toMatchObject({ status: 200, admin: false });
    expect(model.groups).toContain(LAB);
    // The local-process spawner's lookup (account creation allowed, as in the harness) finds the same account.
    const account = await resolveAccount(accountPolicyFor(0, { systemUserTemplate: '{username}', createSystemUsers: true, minUid: 1000 }), ALICE);
    expect({ name: account.name, uid: account.uid }).toEqual({ name: ALICE, uid });
  });

  it('makes members of an admin Unix group admins', async () => {
    expect((await login(DORA, PASSWORDS[DORA] ?? '')).status).toBe(200);
    expect(await userModel(DORA)).toMatchObject({ status: 200, admin: true });
  });

  it('refuses an account in no allowed group, saying why', async () => {
    const page = await login(BOB, PASSWORDS[BOB] ?? '');
    expect(page.status).toBe(403);
    expect(loginError(page)).toContain(`${BOB} is not allowed on this hub`);
    expect((await userModel(BOB)).status).toBe(404);
  });

  it('answers a wrong password, a locked account and an unknown user alike, creating nothing', async () => {
    const pages = [await login(ALICE, 'not-her-password'), await login(CARL, PASSWORDS[CARL] ?? ''), await login(name('nobody'), 'whatever-pw')];
    for (const page of pages) expect([page.status, loginError(page)]).toEqual([403, 'Invalid username or password.']);
    expect((await userModel(CARL)).status).toBe(404);
    expect((await userModel(name('nobody'))).status).toBe(404);
    expect(await uidOf(name('nobody'))).toBeNull();
  });

  it('gets those refusals from PAM itself (the helper ran and PAM said no)', async () => {
    const auth = new PamAuthenticator({ config: pamConfig({}) });
    const check = (user: string, pw: string): Promise<unknown> => auth.authenticate({ username: user, password: pw, remoteAddress: '127.0.0.1' });
    expect(await check(CARL, PASSWORDS[CARL] ?? '')).toEqual({ ok: false, reason: expect.stringMatching(/^PAM: /) });
    expect(await check(ALICE, 'not-her-password')).toEqual({ ok: false, reason: expect.stringMatching(/^PAM: /) });
    expect(await check(name('nobody'), 'whatever-pw')).toEqual({ ok: false, reason: expect.stringMatching(/^PAM: /) });
    // Unlocked again, the same password works: the lock was what refused it.
    await run('usermod', ['-U', CARL]);
    try {
      expect(await check(CARL, PASSWORDS[CARL] ?? '')).toMatchObject({ ok: true, username: CARL });
    } finally {
      await run('usermod', ['-L', CARL]);
    }
  });

  it('says the login service is unavailable when the helper hangs past the timeout', async () => {
    const hang = `/tmp/clusterhub-test-${tag}-hang.sh`;
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    try {
      const auth = new PamAuthenticator({ config: pamConfig({ python: hang, timeoutSeconds: 0.3 }) });
      const outcome = await auth.authenticate({ username: ALICE, password: PASSWORDS[ALICE] ?? '', remoteAddress: '127.0.0.1' });
      expect(outcome).toEqual({ ok: false, unavailable: true, reason: expect.stringContaining('timed out'), message: expect.any(String) });
    } finally {
      rmSync(hang, { force: true });
    }
  });

  it('refuses a system account (uid below auth.pam.minUid) even with its password', async () => {
    expect(await uidOf(SYS)).toBeLessThan(1000);
    const page = await login(SYS, PASSWORDS[SYS] ?? '');
    expect([page.status, loginError(page)]).toEqual([403, 'Invalid username or password.']);
    expect((await userModel(SYS)).status).toBe(404);
  });

  it('says the login service is unavailable when the helper cannot run', async () => {
    const auth = new PamAuthenticator({ config: pamConfig({ python: '/nonexistent/python3' }) });
    const outcome = await auth.authenticate({ username: ALICE, password: PASSWORDS[ALICE] ?? '', remoteAddress: '127.0.0.1' });
    expect(outcome).toMatchObject({ ok: false, unavailable: true, message: expect.stringContaining('login service is unavailable') });
  });

  it('never asks PAM about an empty password or a name that is no Unix account name', async () => {
    const auth = new PamAuthenticator({ config: pamConfig({}) });
    for (const [user, pw] of [[ALICE, ''], ['a/b', 'x'], ['alice;id', 'x'], ['-rf', 'x']] as const) {
      expect(await auth.authenticate({ username: user, password: pw, remoteAddress: '127.0.0.1' })).toEqual({ ok: false, reason: 'malformed user name or password' });
    }
  });
});
