import type { AuthOutcome, Authenticator } from './authenticator';
import { ThrottledAuthenticator } from './form-throttle';

/** An adapter that answers from a table (password per name), as a directory would. */
class TableAuthenticator implements Authenticator {
  readonly kind = 'table';
  calls = 0;
  down = false;
  constructor(private readonly table: Record<string, string>) {}
  async authenticate(c: { username: string; password: string }): Promise<AuthOutcome> {
    this.calls += 1;
    if (this.down) return { ok: false, reason: 'down', message: 'unavailable', unavailable: true };
    if (c.username === 'outsider' && c.password === 'right') return { ok: false, reason: 'not allowed', message: 'not allowed' };
    return this.table[c.username] === c.password ? { ok: true, username: c.username } : { ok: false, reason: 'wrong password or unknown user' };
  }
}

describe('ThrottledAuthenticator', () => {
  let now = 1_000_000;
  const clock = (): number => now;
  const attempt = (auth: Authenticator, username: string, password: string, remoteAddress = '10.0.0.1'): Promise<AuthOutcome> =>
    auth.authenticate({ username, password, remoteAddress });

  it('delays a name at one address after its free failures, without asking the inner adapter, and lets it in once the delay passed', async () => {
    const inner = new TableAuthenticator({ alice: 'right' });
    const auth = new ThrottledAuthenticator(inner, { freeFailures: 2, maxDelaySeconds: 30, clock });
    expect(auth.kind).toBe('table');
    await attempt(auth, 'alice', 'x');
    await attempt(auth, 'Alice ', 'y');
    const calls = inner.calls;
    expect(await attempt(auth, 'alice', 'right')).toEqual({ ok: false, reason: 'too many failed logins', retryAfterSeconds: 1 });
    expect(inner.calls).toBe(calls);
    // Another address is not delayed for the same name.
    expect(await attempt(auth, 'alice', 'right', '10.0.0.2')).toEqual({ ok: true, username: 'alice' });
    now += 1000;
    expect(await attempt(auth, 'alice', 'right')).toEqual({ ok: true, username: 'alice' });
  });

  it('does not count refusals by the access rules or an unavailable service as failures', async () => {
    const inner = new TableAuthenticator({});
    const auth = new ThrottledAuthenticator(inner, { freeFailures: 1, maxDelaySeconds: 30, clock });
    for (let i = 0; i < 3; i += 1) expect(await attempt(auth, 'outsider', 'right')).toMatchObject({ reason: 'not allowed' });
    inner.down = true;
    for (let i = 0; i < 3; i += 1) expect(await attempt(auth, 'bob', 'x')).toMatchObject({ unavailable: true });
  });

  it('throttles an address that tries many names', async () => {
    const auth = new ThrottledAuthenticator(new TableAuthenticator({ zed: 'right' }), { freeFailures: 1, maxDelaySeconds: 30, clock });
    for (let i = 0; i < 10; i += 1) await attempt(auth, `name${i}`, 'x', '10.9.9.9');
    expect(await attempt(auth, 'zed', 'right', '::ffff:10.9.9.9')).toMatchObject({ ok: false, reason: 'too many failed logins' });
  });

  it('is off with maxDelaySeconds 0', async () => {
    const auth = new ThrottledAuthenticator(new TableAuthenticator({ alice: 'right' }), { freeFailures: 0, maxDelaySeconds: 0, clock });
    for (let i = 0; i < 5; i += 1) await attempt(auth, 'alice', 'x');
    expect(await attempt(auth, 'alice', 'right')).toEqual({ ok: true, username: 'alice' });
  });
});
