import { describe, expect, it } from '@jest/globals';
import { StoreConflictError } from '../store';
import { RICH_JSON, type StoreGetter } from './fixtures';

/** Contract tests of `store.groups`. */
export function describeGroupContract(getStore: StoreGetter): void {
  describe('groups', () => {
    it('creates, reads by name and round-trips properties', async () => {
      const store = getStore();
      const plain = await store.groups.create({ name: 'plain' });
      expect(plain).toMatchObject({ name: 'plain', properties: {} });
      const rich = await store.groups.create({ name: 'rich', properties: RICH_JSON });
      expect(JSON.stringify((await store.groups.getByName('rich'))?.properties)).toBe(JSON.stringify(RICH_JSON));
      expect(await store.groups.getByName('rich')).toEqual(rich);
      expect(await store.groups.getByName('none')).toBeNull();
    });

    it('refuses a duplicate name', async () => {
      const store = getStore();
      await store.groups.create({ name: 'gpu' });
      await expect(store.groups.create({ name: 'gpu' })).rejects.toBeInstanceOf(StoreConflictError);
      expect((await store.groups.list({ offset: 0, limit: 10 })).total).toBe(1);
    });

    it('pages by id with totals', async () => {
      const store = getStore();
      for (const name of ['zeta', 'alpha', 'mid']) await store.groups.create({ name });
      expect((await store.groups.list({ offset: 0, limit: 10 })).items.map((g) => g.name)).toEqual(['zeta', 'alpha', 'mid']);
      expect(await store.groups.list({ offset: 1, limit: 1 })).toMatchObject({ total: 3, items: [{ name: 'alpha' }] });
      expect(await store.groups.list({ offset: 5, limit: 1 })).toEqual({ total: 3, items: [] });
    });

    it('replaces properties', async () => {
      const store = getStore();
      const group = await store.groups.create({ name: 'gpu', properties: { a: 1 } });
      await store.groups.setProperties(group.id, { b: { c: [true] } });
      expect((await store.groups.getByName('gpu'))?.properties).toEqual({ b: { c: [true] } });
    });

    it('adds members idempotently, removes them, and lists names sorted both ways', async () => {
      const store = getStore();
      const carol = await store.users.create({ name: 'carol' });
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const gpu = await store.groups.create({ name: 'gpu' });
      const cpu = await store.groups.create({ name: 'cpu' });
      await store.groups.addMembers(gpu.id, [carol.id, alice.id]);
      await store.groups.addMembers(gpu.id, [alice.id, bob.id, bob.id]);
      await store.groups.addMembers(gpu.id, []);
      await store.groups.addMembers(cpu.id, [alice.id]);
      expect(await store.groups.memberNames(gpu.id)).toEqual(['alice', 'bob', 'carol']);
      expect(await store.groups.groupNamesOf(alice.id)).toEqual(['cpu', 'gpu']);
      await store.groups.removeMembers(gpu.id, [alice.id, carol.id, 424242]);
      await store.groups.removeMembers(gpu.id, []);
      expect(await store.groups.memberNames(gpu.id)).toEqual(['bob']);
      expect(await store.groups.groupNamesOf(alice.id)).toEqual(['cpu']);
      expect(await store.groups.groupNamesOf(carol.id)).toEqual([]);
    });

    it('lists the groups of many users at once, sorted byte-wise, with every asked id present', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const carol = await store.users.create({ name: 'carol' });
      const groups = new Map<string, number>();
      for (const name of ['été', 'beta', 'Zeta', 'alpha']) groups.set(name, (await store.groups.create({ name })).id);
      const add = (group: string, ids: number[]): Promise<void> => store.groups.addMembers(groups.get(group) ?? -1, ids);
      await add('été', [alice.id]);
      await add('beta', [alice.id, bob.id]);
      await add('Zeta', [alice.id]);
      await add('alpha', [alice.id, bob.id]);
      const map = await store.groups.groupNamesOfUsers([bob.id, alice.id, carol.id, 424242, alice.id]);
      expect([...map.keys()].sort((a, b) => a - b)).toEqual([alice.id, bob.id, carol.id, 424242].sort((a, b) => a - b));
      expect(map.get(alice.id)).toEqual(['Zeta', 'alpha', 'beta', 'été']);
      expect(map.get(alice.id)).toEqual(await store.groups.groupNamesOf(alice.id));
      expect(map.get(bob.id)).toEqual(['alpha', 'beta']);
      expect(map.get(carol.id)).toEqual([]);
      expect(map.get(424242)).toEqual([]);
      expect((await store.groups.groupNamesOfUsers([])).size).toBe(0);
    });

    it('lists the groups of more users than fit in one IN list', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const gpu = await store.groups.create({ name: 'gpu' });
      await store.groups.addMembers(gpu.id, [alice.id, bob.id]);
      const missing = Array.from({ length: 2500 }, (_, i) => 1_000_000 + i);
      const map = await store.groups.groupNamesOfUsers([alice.id, ...missing, bob.id]);
      expect(map.size).toBe(2502);
      expect(map.get(alice.id)).toEqual(['gpu']);
      expect(map.get(bob.id)).toEqual(['gpu']);
      expect(missing.every((id) => map.get(id)?.length === 0)).toBe(true);
    });

    it('deletes a group with its memberships but not its users', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const gpu = await store.groups.create({ name: 'gpu' });
      await store.groups.addMembers(gpu.id, [alice.id]);
      expect(await store.groups.delete(gpu.id)).toBe(true);
      expect(await store.groups.delete(gpu.id)).toBe(false);
      expect(await store.groups.getByName('gpu')).toBeNull();
      expect(await store.groups.groupNamesOf(alice.id)).toEqual([]);
      expect(await store.users.getById(alice.id)).not.toBeNull();
      const again = await store.groups.create({ name: 'gpu' });
      expect(await store.groups.memberNames(again.id)).toEqual([]);
    });

    it('sets a user’s groups exactly, creating missing groups and leaving other users alone', async () => {
      const store = getStore();
      const alice = await store.users.create({ name: 'alice' });
      const bob = await store.users.create({ name: 'bob' });
      const old = await store.groups.create({ name: 'old', properties: { keep: true } });
      await store.groups.addMembers(old.id, [alice.id, bob.id]);
      await store.groups.setUserGroups(alice.id, ['physics', 'gpu', 'physics']);
      expect(await store.groups.groupNamesOf(alice.id)).toEqual(['gpu', 'physics']);
      expect(await store.groups.groupNamesOf(bob.id)).toEqual(['old']);
      expect((await store.groups.getByName('physics'))?.properties).toEqual({});
      await store.groups.setUserGroups(alice.id, ['old', 'gpu']);
      expect(await store.groups.groupNamesOf(alice.id)).toEqual(['gpu', 'old']);
      expect((await store.groups.getByName('old'))?.properties).toEqual({ keep: true });
      expect(await store.groups.memberNames(old.id)).toEqual(['alice', 'bob']);
      await store.groups.setUserGroups(alice.id, []);
      expect(await store.groups.groupNamesOf(alice.id)).toEqual([]);
      expect((await store.groups.list({ offset: 0, limit: 10 })).total).toBe(3);
    });
  });
}
