import { describe, expect, it } from '@jest/globals';
import type { UsageInput } from '../store';
import type { StoreGetter } from './fixtures';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const hours = (h: number): Date => new Date(T0.getTime() + h * 3_600_000);

/** A session input for user 1 on server `serverId`. */
function session(serverId: number | null, overrides: Partial<UsageInput> = {}): UsageInput {
  return {
    userId: 1,
    userName: 'alice',
    serverId,
    serverName: '',
    groupName: null,
    profile: 'cpu',
    pricePerHour: 0.1,
    started: T0,
    ...overrides,
  };
}

/** Contract tests of `store.usage` (the compute-unit ledger). */
export function describeUsageContract(getStore: StoreGetter): void {
  describe('usage', () => {
    it('opens a session, closes it once, and round-trips every field', async () => {
      const store = getStore();
      const opened = await store.usage.open(session(7, { groupName: 'cpsHPCAccess', profile: 'gpu-dual', pricePerHour: 16 }));
      expect(opened).toMatchObject({ userId: 1, userName: 'alice', serverId: 7, groupName: 'cpsHPCAccess', profile: 'gpu-dual', pricePerHour: 16, ended: null, endReason: null });
      expect(opened.started.toISOString()).toBe(T0.toISOString());
      expect(await store.usage.closeServer(7, hours(2), 'user')).toBe(1);
      expect(await store.usage.closeServer(7, hours(3), 'user')).toBe(0);
      const [row] = await store.usage.list({ from: T0, to: hours(10) });
      expect(row?.ended?.toISOString()).toBe(hours(2).toISOString());
      expect(row?.endReason).toBe('user');
    });

    it('keeps at most one open session per server: opening again ends the previous one at the new start', async () => {
      const store = getStore();
      await store.usage.open(session(3));
      await store.usage.open(session(3, { started: hours(1) }));
      const rows = await store.usage.list({ from: T0, to: hours(5) });
      expect(rows.map((r) => [r.ended?.toISOString() ?? null, r.endReason])).toEqual([
        [hours(1).toISOString(), 'superseded'],
        [null, null],
      ]);
    });

    it('records closed sessions directly and keeps fractional prices exactly', async () => {
      const store = getStore();
      await store.usage.open(session(null, { pricePerHour: 0.1, ended: hours(25), endReason: 'fixture' }));
      const [row] = await store.usage.list({ from: T0, to: hours(30) });
      expect(row).toMatchObject({ serverId: null, pricePerHour: 0.1, endReason: 'fixture' });
    });

    it('lists sessions overlapping the window, by user, sorted by start', async () => {
      const store = getStore();
      await store.usage.open(session(null, { started: hours(-5), ended: hours(-1) }));
      await store.usage.open(session(null, { started: hours(2), ended: hours(3), userId: 2, userName: 'bob' }));
      await store.usage.open(session(null, { started: hours(-2), ended: hours(1) }));
      await store.usage.open(session(9, { started: hours(4) }));
      await store.usage.open(session(null, { started: hours(10), ended: hours(11) }));
      const all = await store.usage.list({ from: T0, to: hours(10) });
      expect(all.map((r) => [r.userName, r.started.toISOString()])).toEqual([
        ['alice', hours(-2).toISOString()],
        ['bob', hours(2).toISOString()],
        ['alice', hours(4).toISOString()],
      ]);
      expect((await store.usage.list({ from: T0, to: hours(10), userId: 2 })).map((r) => r.userName)).toEqual(['bob']);
    });

    it('closes stale sessions: their server is gone or not active; running servers stay open', async () => {
      const store = getStore();
      const user = await store.users.create({ name: 'alice' });
      const running = await store.servers.create({ userId: user.id, name: '' });
      await store.servers.update(running.id, { state: 'running' });
      const stopped = await store.servers.create({ userId: user.id, name: 'old' });
      await store.usage.open(session(running.id, { userId: user.id }));
      await store.usage.open(session(stopped.id, { userId: user.id, serverName: 'old' }));
      await store.usage.open(session(123_456, { userId: user.id, serverName: 'deleted' }));
      expect(await store.usage.closeStale(hours(1), 'hub-restart')).toBe(2);
      const rows = await store.usage.list({ from: T0, to: hours(2) });
      expect(rows.map((r) => [r.serverName, r.endReason])).toEqual([
        ['', null],
        ['old', 'hub-restart'],
        ['deleted', 'hub-restart'],
      ]);
    });

    it("finds a server's most recent session, open or ended, with its group", async () => {
      const store = getStore();
      expect(await store.usage.lastOfServer(5)).toBeNull();
      await store.usage.open(session(5, { groupName: 'a' }));
      await store.usage.open(session(6, { started: hours(3), groupName: 'other' }));
      expect(await store.usage.lastOfServer(5)).toMatchObject({ serverId: 5, groupName: 'a', ended: null });
      await store.usage.closeServer(5, hours(1), 'user');
      await store.usage.open(session(5, { started: hours(2), groupName: 'b', ended: hours(2.5), endReason: 'budget' }));
      expect(await store.usage.lastOfServer(5)).toMatchObject({ serverId: 5, groupName: 'b', endReason: 'budget' });
    });

    it('keeps the ledger when the user is deleted', async () => {
      const store = getStore();
      const user = await store.users.create({ name: 'alice' });
      await store.usage.open(session(null, { userId: user.id, ended: hours(1) }));
      await store.users.delete(user.id);
      expect(await store.usage.list({ from: T0, to: hours(2) })).toHaveLength(1);
    });
  });
}
