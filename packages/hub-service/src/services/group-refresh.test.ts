import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { IdentityRefresh, RefreshOutcome } from '../authenticators/authenticator';
import { silentLogger } from '../observability/logger';
import { openStore } from '../store/open';
import type { Store, UserRecord } from '../store/store';
import { GroupRefresh } from './group-refresh';

/**
 * The group refresh's own rules on a real SQLite store, with a provider answer the test controls
 * (the refresh grant against a real provider: test/oidc-group-refresh.test.ts): one refresh per
 * user at a time (a token is never used twice at once), the passes of the timer, a provider that
 * cannot answer leaving the user as they were, a rotated token kept.
 */
const PERIOD = 1;

/** A provider answer per call, released when the test says so. */
class ControlledProvider implements IdentityRefresh {
  calls: string[] = [];
  answer: RefreshOutcome = { ok: true, groups: ['cps-students'], refreshToken: 'rt-2' };
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open();
  }

  async refresh(input: { username: string; refreshToken: string }): Promise<RefreshOutcome> {
    this.calls.push(input.refreshToken);
    await this.gate;
    return this.answer;
  }
}

describe('GroupRefresh', () => {
  let store: Store;
  let provider: ControlledProvider;
  let refresh: GroupRefresh;
  let user: UserRecord;
  let now: number;

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    provider = new ControlledProvider();
    now = Date.parse('2026-11-10T08:00:00Z');
    refresh = new GroupRefresh({
      store,
      refresher: provider,
      auth: { admins: [], adminGroups: [] },
      periodSeconds: PERIOD,
      providerName: 'Test',
      clock: () => now,
      logger: silentLogger(),
    });
    user = await store.users.create({ name: 'alice' });
    await store.groups.setUserGroups(user.id, ['cpsHPCAccess']);
    await refresh.signedIn(user, 'rt-1');
  });

  afterEach(async () => {
    await refresh.stop();
    await store.close();
  });

  it('joins a refresh in flight for the same user instead of using the token twice', async () => {
    provider.hold();
    const first = refresh.refreshUser(user, 'periodic');
    const second = refresh.refreshUser(user, 'start');
    provider.release();
    expect(await Promise.all([first, second])).toEqual(['refreshed', 'refreshed']);
    expect(provider.calls).toEqual(['rt-1']);
    expect(await store.groups.groupNamesOf(user.id)).toEqual(['cps-students']);
    expect((await store.oidcSessions.get(user.id))?.refreshToken).toBe('rt-2');
  });

  it('leaves the user as they were when the provider cannot answer, and tries again at the next pass', async () => {
    provider.answer = { ok: false, expired: false, reason: 'provider unreachable' };
    now += PERIOD * 1000;
    expect(await refresh.sweep()).toBe(0);
    expect(await store.oidcSessions.get(user.id)).toMatchObject({ refreshToken: 'rt-1', expired: null });
    expect(await store.groups.groupNamesOf(user.id)).toEqual(['cpsHPCAccess']);
    provider.answer = { ok: true, groups: ['cps-students'], refreshToken: 'rt-1' };
    expect(await refresh.sweep()).toBe(1);
    expect(provider.calls).toEqual(['rt-1', 'rt-1']);
  });

  it('runs its passes on a timer once started', async () => {
    now += PERIOD * 1000;
    refresh.start();
    const deadline = Date.now() + 10_000;
    while (provider.calls.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(provider.calls).toEqual(['rt-1']);
    await refresh.stop();
    expect(await store.groups.groupNamesOf(user.id)).toEqual(['cps-students']);
  });
});
