import { describe, expect, it } from '@jest/globals';
import type { AuditInput } from '../audit-repository';
import { RICH_JSON, type StoreGetter } from './fixtures';

const T0 = new Date('2026-03-01T08:00:00.123Z');
const minutes = (m: number): Date => new Date(T0.getTime() + m * 60_000);

/** An event by alice about herself at `T0 + m` minutes. */
function event(m: number, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    at: minutes(m),
    actorKind: 'user',
    actorName: 'alice',
    action: 'login.success',
    targetUser: 'alice',
    targetServer: null,
    address: '192.0.2.7',
    details: {},
    ...overrides,
  };
}

/** Contract tests of `store.audit` (the audit log). */
export function describeAuditContract(getStore: StoreGetter): void {
  describe('audit', () => {
    it('records an event and round-trips every field, details JSON exactly', async () => {
      const store = getStore();
      const recorded = await store.audit.record(event(0, { action: 'server.stop', targetServer: '', details: RICH_JSON }));
      expect(recorded.id).toBeGreaterThan(0);
      const { items, total } = await store.audit.list({ offset: 0, limit: 10 });
      expect(total).toBe(1);
      expect(items[0]).toEqual(recorded);
      expect(items[0]?.at.toISOString()).toBe(T0.toISOString());
      expect(items[0]?.details).toEqual(RICH_JSON);
      expect(JSON.stringify(items[0]?.details)).toBe(JSON.stringify(RICH_JSON));
      expect(items[0]).toMatchObject({ actorKind: 'user', actorName: 'alice', targetUser: 'alice', targetServer: '', address: '192.0.2.7' });
    });

    it('keeps null actor, target and address', async () => {
      const store = getStore();
      await store.audit.record(event(0, { actorKind: 'system', actorName: null, targetUser: null, address: null, action: 'audit.pruned' }));
      const [row] = (await store.audit.list({ offset: 0, limit: 1 })).items;
      expect(row).toMatchObject({ actorKind: 'system', actorName: null, targetUser: null, targetServer: null, address: null });
    });

    it('lists newest first (ties by id, newest first), pages with offset and limit, and counts all matches', async () => {
      const store = getStore();
      for (const m of [5, 1, 3, 3]) await store.audit.record(event(m, { details: { m } }));
      const all = await store.audit.list({ offset: 0, limit: 10 });
      expect(all.total).toBe(4);
      expect(all.items.map((e) => e.at.toISOString())).toEqual([minutes(5), minutes(3), minutes(3), minutes(1)].map((d) => d.toISOString()));
      const [a, b] = all.items.slice(1, 3);
      expect((a?.id ?? 0) > (b?.id ?? 0)).toBe(true);
      const page = await store.audit.list({ offset: 1, limit: 2 });
      expect(page.total).toBe(4);
      expect(page.items.map((e) => e.id)).toEqual(all.items.slice(1, 3).map((e) => e.id));
      expect(await store.audit.list({ offset: 10, limit: 2 })).toEqual({ items: [], total: 4 });
      expect(await store.audit.list({ offset: 0, limit: 0 })).toEqual({ items: [], total: 4 });
    });

    it('filters by user: events about the user or done by the user', async () => {
      const store = getStore();
      await store.audit.record(event(0));
      await store.audit.record(event(1, { actorName: 'root', action: 'user.delete', targetUser: 'bob' }));
      await store.audit.record(event(2, { actorName: 'alice', action: 'group.members.add', targetUser: 'carol' }));
      await store.audit.record(event(3, { actorKind: 'anonymous', actorName: null, action: 'login.failure', targetUser: 'alice' }));
      await store.audit.record(event(4, { actorKind: 'service', actorName: 'alice', action: 'server.stop', targetUser: 'dave' }));
      const alice = await store.audit.list({ user: 'alice', offset: 0, limit: 10 });
      expect(alice.items.map((e) => e.action)).toEqual(['login.failure', 'group.members.add', 'login.success']);
      expect((await store.audit.list({ user: 'bob', offset: 0, limit: 10 })).items.map((e) => e.action)).toEqual(['user.delete']);
      expect((await store.audit.list({ user: 'nobody', offset: 0, limit: 10 })).total).toBe(0);
    });

    it('filters by action: the action itself or any beneath it, never a mere prefix; LIKE characters match literally', async () => {
      const store = getStore();
      await store.audit.record(event(0, { action: 'server.start' }));
      await store.audit.record(event(1, { action: 'server.stop' }));
      await store.audit.record(event(2, { action: 'servers.other' }));
      await store.audit.record(event(3, { action: 'server' }));
      await store.audit.record(event(4, { action: 'serverxstop' }));
      const actions = async (action: string): Promise<string[]> => (await store.audit.list({ action, offset: 0, limit: 10 })).items.map((e) => e.action);
      expect(await actions('server')).toEqual(['server', 'server.stop', 'server.start']);
      expect(await actions('server.stop')).toEqual(['server.stop']);
      expect(await actions('server_stop')).toEqual([]);
      expect(await actions('serv%')).toEqual([]);
    });

    it('filters by time: since inclusive, until exclusive, combined with the other filters', async () => {
      const store = getStore();
      for (const m of [0, 10, 20, 30]) await store.audit.record(event(m));
      await store.audit.record(event(20, { targetUser: 'bob', actorName: 'bob' }));
      const at = async (q: { since?: Date; until?: Date; user?: string }): Promise<string[]> =>
        (await store.audit.list({ ...q, offset: 0, limit: 10 })).items.map((e) => e.at.toISOString());
      expect(await at({ since: minutes(10), until: minutes(30) })).toEqual([minutes(20), minutes(20), minutes(10)].map((d) => d.toISOString()));
      expect(await at({ since: minutes(10), until: minutes(30), user: 'alice' })).toEqual([minutes(20), minutes(10)].map((d) => d.toISOString()));
      expect(await at({ since: minutes(31) })).toEqual([]);
    });

    it('prunes events older than a time and keeps the rest; keeps events when their user is deleted', async () => {
      const store = getStore();
      const user = await store.users.create({ name: 'alice' });
      for (const m of [0, 10, 20]) await store.audit.record(event(m));
      await store.users.delete(user.id);
      expect(await store.audit.pruneBefore(minutes(10))).toBe(1);
      expect(await store.audit.pruneBefore(minutes(10))).toBe(0);
      expect((await store.audit.list({ offset: 0, limit: 10 })).items.map((e) => e.at.toISOString())).toEqual([minutes(20), minutes(10)].map((d) => d.toISOString()));
    });
  });
}
