import type { AccountRecord, AccountRepository } from '../../store/store';
import { LocalAuthenticator } from './local-authenticator';
import { hashPassword } from './password';

/** A Map-backed AccountRepository: enough to exercise the authenticator's own logic. */
function memoryAccounts(): AccountRepository & { lookups: string[] } {
  const rows = new Map<string, AccountRecord>();
  const lookups: string[] = [];
  return {
    lookups,
    async get(userName) {
      lookups.push(userName);
      return rows.get(userName) ?? null;
    },
    async set(userName, passwordHash) {
      rows.set(userName, { userName, passwordHash, updated: new Date(0) });
    },
    async delete(userName) {
      return rows.delete(userName);
    },
    async listNames() {
      return [...rows.keys()].sort();
    },
  };
}

function manualClock(): { now: () => number; advance: (seconds: number) => void } {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (seconds) => (t += seconds * 1000) };
}

let accounts: ReturnType<typeof memoryAccounts>;
let alicePasswordHash: string;

beforeAll(async () => {
  alicePasswordHash = await hashPassword('alice-secret');
});

beforeEach(async () => {
  accounts = memoryAccounts();
  await accounts.set('alice', alicePasswordHash);
});

describe('LocalAuthenticator', () => {
  it('accepts the right password', async () => {
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 3, maxDelaySeconds: 30 } });
    expect(auth.kind).toBe('local');
    await expect(auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '10.0.0.1' })).resolves.toEqual({
      ok: true,
      username: 'alice',
    });
  });

  it('refuses a wrong password and an unknown name alike', async () => {
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 3, maxDelaySeconds: 30 } });
    const wrong = await auth.authenticate({ username: 'alice', password: 'nope', remoteAddress: '10.0.0.1' });
    const unknown = await auth.authenticate({ username: 'mallory', password: 'nope', remoteAddress: '10.0.0.2' });
    expect(wrong).toEqual({ ok: false, reason: 'wrong password' });
    expect(unknown).toEqual({ ok: false, reason: 'no such account' });
    expect(accounts.lookups).toEqual(['alice', 'mallory']);
  });

  it('refuses malformed input without looking it up', async () => {
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 3, maxDelaySeconds: 30 } });
    for (const [username, password] of [
      ['alice', ''],
      ['../etc', 'x'],
      ['', 'x'],
      ['alice', 'x'.repeat(5000)],
    ] as const) {
      expect(await auth.authenticate({ username, password, remoteAddress: '10.0.0.1' })).toEqual({
        ok: false,
        reason: 'malformed user name or password',
      });
    }
    expect(accounts.lookups).toEqual([]);
  });

  it('throttles a user name per client after the free failures, until the wait is over', async () => {
    const clock = manualClock();
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 2, maxDelaySeconds: 30 }, clock: clock.now });
    await auth.authenticate({ username: 'alice', password: 'guess1', remoteAddress: '10.0.0.1' });
    await auth.authenticate({ username: 'alice', password: 'guess2', remoteAddress: '10.0.0.1' });
    const blocked = await auth.authenticate({ username: 'ALICE', password: 'alice-secret', remoteAddress: '10.0.0.1' });
    expect(blocked).toEqual({ ok: false, reason: 'too many failed logins', retryAfterSeconds: 1 });
    expect(accounts.lookups).toEqual(['alice', 'alice']);
    // Other names are not affected.
    await accounts.set('bob', alicePasswordHash);
    expect((await auth.authenticate({ username: 'bob', password: 'alice-secret', remoteAddress: '10.0.0.1' })).ok).toBe(true);
    clock.advance(1);
    expect(await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '10.0.0.1' })).toEqual({
      ok: true,
      username: 'alice',
    });
  });

  it('never refuses the right password from a client without failures because of other clients\' failures', async () => {
    const clock = manualClock();
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 2, maxDelaySeconds: 30 }, clock: clock.now });
    for (let i = 0; i < 50; i += 1) {
      await auth.authenticate({ username: 'alice', password: `guess${i}`, remoteAddress: `10.0.${Math.floor(i / 5)}.${i % 5}` });
    }
    expect((await auth.authenticate({ username: 'alice', password: 'guess', remoteAddress: '10.0.0.1' })).ok).toBe(false);
    expect(await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '192.0.2.1' })).toEqual({
      ok: true,
      username: 'alice',
    });
  });

  it('forgets a user name\'s failures after a successful login', async () => {
    const clock = manualClock();
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 2, maxDelaySeconds: 30 }, clock: clock.now });
    await auth.authenticate({ username: 'alice', password: 'typo', remoteAddress: '10.0.0.1' });
    await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '10.0.0.1' });
    await auth.authenticate({ username: 'alice', password: 'typo', remoteAddress: '10.0.0.1' });
    expect((await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '10.0.0.1' })).ok).toBe(true);
  });

  it('throttles an address that tries many names', async () => {
    const clock = manualClock();
    const auth = new LocalAuthenticator({
      accounts,
      throttle: { freeFailures: 5, maxDelaySeconds: 30, addressFreeFailures: 3 },
      clock: clock.now,
    });
    for (const name of ['u1', 'u2', 'u3']) {
      expect((await auth.authenticate({ username: name, password: 'pw', remoteAddress: '::ffff:192.0.2.7' })).ok).toBe(false);
    }
    expect(await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '192.0.2.7' })).toEqual({
      ok: false,
      reason: 'too many failed logins',
      retryAfterSeconds: 1,
    });
    expect((await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '192.0.2.8' })).ok).toBe(true);
  });

  it('lets an address fail ten times as often as a name by default', async () => {
    const clock = manualClock();
    const auth = new LocalAuthenticator({ accounts, throttle: { freeFailures: 1, maxDelaySeconds: 30 }, clock: clock.now });
    for (let i = 0; i < 9; i += 1) {
      expect(await auth.authenticate({ username: `user${i}`, password: 'pw', remoteAddress: '10.1.1.1' })).toEqual({
        ok: false,
        reason: 'no such account',
      });
    }
    expect((await auth.authenticate({ username: 'user9', password: 'pw', remoteAddress: '10.1.1.1' })).ok).toBe(false);
    expect(await auth.authenticate({ username: 'alice', password: 'alice-secret', remoteAddress: '10.1.1.1' })).toMatchObject({
      ok: false,
      reason: 'too many failed logins',
    });
  });
});
