import { describe, expect, it } from '@jest/globals';
import type { OidcSession } from '../oidc-session-repository';
import type { StoreGetter } from './fixtures';

const AT = new Date('2026-11-10T08:00:00.123Z');
const later = (seconds: number): Date => new Date(AT.getTime() + seconds * 1000);

/** Contract tests of `store.oidcSessions` (the provider sign-ins kept for the group refresh). */
export function describeOidcSessionContract(getStore: StoreGetter): void {
  describe('oidc sessions', () => {
    it('keeps one row per user, replaced by save', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      expect(await store.oidcSessions.get(alice.id)).toBeNull();
      const first: OidcSession = { userId: alice.id, refreshToken: 'rt-1', refreshed: AT, expired: null, expiredReason: null };
      await store.oidcSessions.save(first);
      expect(await store.oidcSessions.get(alice.id)).toEqual(first);
      const failed: OidcSession = { userId: alice.id, refreshToken: null, refreshed: AT, expired: later(60), expiredReason: 'grant revoked' };
      await store.oidcSessions.save(failed);
      expect(await store.oidcSessions.get(alice.id)).toEqual(failed);
    });

    it('lists the sessions due for a refresh: with a token, not expired, older than the time; oldest first', async () => {
      const store = getStore();
      const [a, b, c, d] = await Promise.all(['a1', 'b1', 'c1', 'd1'].map((name) => store.users.create({ name })));
      if (!a || !b || !c || !d) throw new Error('users');
      await store.oidcSessions.save({ userId: a.id, refreshToken: 'rt-a', refreshed: later(20), expired: null, expiredReason: null });
      await store.oidcSessions.save({ userId: b.id, refreshToken: 'rt-b', refreshed: later(10), expired: null, expiredReason: null });
      await store.oidcSessions.save({ userId: c.id, refreshToken: null, refreshed: AT, expired: null, expiredReason: null });
      await store.oidcSessions.save({ userId: d.id, refreshToken: 'rt-d', refreshed: AT, expired: later(5), expiredReason: 'revoked' });
      expect((await store.oidcSessions.listDue(later(30))).map((s) => s.userId)).toEqual([b.id, a.id]);
      expect((await store.oidcSessions.listDue(later(20))).map((s) => s.userId)).toEqual([b.id]);
    });

    it('is removed with its user', async () => {
      const store = getStore();
      const bob = await store.users.create({ name: 'bob' });
      await store.oidcSessions.save({ userId: bob.id, refreshToken: 'rt', refreshed: AT, expired: null, expiredReason: null });
      expect(await store.users.delete(bob.id)).toBe(true);
      expect(await store.oidcSessions.listDue(later(60))).toEqual([]);
    });
  });
}
