import type { IHubBudgets } from '../client/hub-models';
import { budgetLines, budgetPeriod, formatUnits } from './budget-summary';

const BUDGETS: IHubBudgets = {
  user: 'alice',
  period: 'month',
  term: null,
  period_start: '2026-11-01T00:00:00.000Z',
  period_end: '2026-12-01T00:00:00.000Z',
  spent: 12,
  gap: null,
  budget: { kind: 'user', name: 'alice', amount: 10, spent: 12, remaining: -2 },
  groups: [
    { kind: 'group', name: 'physics', amount: 40, spent: 10, remaining: 30 },
    { kind: 'group', name: 'chem', amount: 0, spent: 0, remaining: 0 },
  ],
};

describe('budget summary', () => {
  it('lists the user’s own budget first, then the groups by name, with the share used (capped at 1)', () => {
    expect(budgetLines(BUDGETS)).toEqual([
      { kind: 'user', name: 'alice', amount: 10, spent: 12, remaining: -2, used: 1, exhausted: true },
      { kind: 'group', name: 'chem', amount: 0, spent: 0, remaining: 0, used: 1, exhausted: true },
      { kind: 'group', name: 'physics', amount: 40, spent: 10, remaining: 30, used: 0.25, exhausted: false },
    ]);
    expect(budgetLines({ ...BUDGETS, budget: null, groups: [] })).toEqual([]);
  });

  it('names the period and its last day (the end is exclusive)', () => {
    expect(budgetPeriod(BUDGETS)).toEqual({ kind: 'month', term: null, lastDay: '2026-11-30' });
    expect(budgetPeriod({ ...BUDGETS, period: 'terms', term: 'WS2026', period_end: null })).toEqual({ kind: 'terms', term: 'WS2026', lastDay: null });
  });

  it('shows units with at most two decimals', () => {
    expect([formatUnits(2), formatUnits(2.5), formatUnits(1 / 3), formatUnits(-2)]).toEqual(['2', '2.5', '0.33', '-2']);
  });
});
