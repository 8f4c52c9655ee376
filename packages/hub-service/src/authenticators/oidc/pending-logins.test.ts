import { PendingLogins, type PendingLogin } from './pending-logins';

const login = (next: string): PendingLogin => ({ codeVerifier: 'v', nonce: 'n', redirectUri: 'http://hub/hub/oauth_callback', next });

describe('PendingLogins', () => {
  it('gives a started login back once, under its state only', () => {
    const pending = new PendingLogins({ clock: () => 0 });
    pending.add('s1', login('/a'));
    expect(pending.take('other')).toBeNull();
    expect(pending.take('s1')).toEqual(login('/a'));
    expect(pending.take('s1')).toBeNull();
  });

  it('forgets logins older than the time limit', () => {
    let now = 0;
    const pending = new PendingLogins({ clock: () => now, ttlMs: 1000 });
    pending.add('s1', login('/a'));
    pending.add('s2', login('/b'));
    now = 999;
    expect(pending.take('s1')).toEqual(login('/a'));
    now = 1000;
    expect(pending.take('s2')).toBeNull();
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const pending = new PendingLogins({ clock: () => 0, maxEntries: 2 });
    pending.add('s1', login('/1'));
    pending.add('s2', login('/2'));
    pending.add('s3', login('/3'));
    expect(pending.take('s1')).toBeNull();
    expect(pending.take('s2')).toEqual(login('/2'));
    expect(pending.take('s3')).toEqual(login('/3'));
  });
});
