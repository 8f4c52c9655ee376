import { describe, expect, it } from '@jest/globals';
import type { BudgetKey } from '../budget-adjustment-repository';
import type { StoreGetter } from './fixtures';

const NOV: BudgetKey = { scope: 'user', name: 'alice', periodStart: new Date('2026-11-01T00:00:00.000Z') };
const AT = new Date('2026-11-10T08:00:00.123Z');

/** Contract tests of `store.budgets` (admin top-ups and limit overrides per period). */
export function describeBudgetAdjustmentContract(getStore: StoreGetter): void {
  describe('budget adjustments', () => {
    it('has none until one is written', async () => {
      expect(await getStore().budgets.get(NOV)).toBeNull();
    });

    it('adds top-ups up, keeping a limit override, per budget and period', async () => {
      const store = getStore();
      expect(await store.budgets.addTopUp(NOV, 2.5, AT)).toEqual({ ...NOV, topUp: 2.5, limit: null, updated: AT });
      await store.budgets.setLimit(NOV, 40, AT);
      const later = new Date(AT.getTime() + 1000);
      expect(await store.budgets.addTopUp(NOV, 0.25, later)).toEqual({ ...NOV, topUp: 2.75, limit: 40, updated: later });
      expect(await store.budgets.get(NOV)).toEqual({ ...NOV, topUp: 2.75, limit: 40, updated: later });
      // Another scope, name or period is another budget.
      expect(await store.budgets.get({ ...NOV, scope: 'group' })).toBeNull();
      expect(await store.budgets.get({ ...NOV, name: 'bob' })).toBeNull();
      expect(await store.budgets.get({ ...NOV, periodStart: new Date('2026-12-01T00:00:00.000Z') })).toBeNull();
    });

    it("lists one period's changes, by scope then name", async () => {
      const store = getStore();
      expect(await store.budgets.listPeriod(NOV.periodStart)).toEqual([]);
      await store.budgets.addTopUp({ ...NOV, name: 'bob' }, 1, AT);
      await store.budgets.setLimit(NOV, 5, AT);
      await store.budgets.setLimit({ ...NOV, scope: 'group', name: 'team' }, 0, AT);
      await store.budgets.addTopUp({ ...NOV, periodStart: new Date('2026-12-01T00:00:00.000Z') }, 3, AT);
      expect(await store.budgets.listPeriod(NOV.periodStart)).toEqual([
        { scope: 'group', name: 'team', periodStart: NOV.periodStart, topUp: 0, limit: 0, updated: AT },
        { ...NOV, topUp: 0, limit: 5, updated: AT },
        { ...NOV, name: 'bob', topUp: 1, limit: null, updated: AT },
      ]);
    });

    it('sets, replaces and removes a limit override, keeping the top-up', async () => {
      const store = getStore();
      expect(await store.budgets.setLimit(NOV, 0, AT)).toEqual({ ...NOV, topUp: 0, limit: 0, updated: AT });
      await store.budgets.addTopUp(NOV, 1, AT);
      expect((await store.budgets.setLimit(NOV, 1e9, AT)).limit).toBe(1e9);
      expect(await store.budgets.setLimit(NOV, null, AT)).toEqual({ ...NOV, topUp: 1, limit: null, updated: AT });
    });
  });
}
