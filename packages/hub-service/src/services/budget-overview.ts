import type { Store } from '../store/store';
import type { BudgetAmount, BudgetPeriod, BudgetService } from './budget';
import { accrued, roundUnits } from './ledger-report';

/** One budget in a period with what was spent on it (compute units, rounded to 6 decimals). */
export interface BudgetOverviewRow extends BudgetAmount {
  /** What applies (never null here: budgets without an amount are not listed). */
  readonly amount: number;
  /** A user's spending (by user id, as the start check counts it), or what was charged to the group. */
  readonly spent: number;
  /** amount − spent (negative when overspent). */
  readonly remaining: number;
}

/** Dependencies of {@link budgetOverview}. */
export interface BudgetOverviewDeps {
  readonly budgets: Pick<BudgetService, 'budgetsIn'>;
  readonly store: Store;
}

/**
 * Every budget that applies in `period` with its spending up to `now` (docs/budgets.md): each
 * group budget, each listed user, each user or group an admin changed in the period, each user
 * who spent anything in the period (under `defaultUser`), and the `users` given. Amounts come
 * from {@link BudgetService.budgetsIn} (the one rule for top-ups and overrides); spending from
 * one read of the period's ledger. User budgets of names that are no account are left out. The
 * Prometheus gauge and the admin page both show this.
 */
export async function budgetOverview(deps: BudgetOverviewDeps, period: BudgetPeriod, now: Date, users: readonly string[] = []): Promise<BudgetOverviewRow[]> {
  const sessions = await deps.store.usage.list({ from: period.start, to: period.end });
  // Users by id (as the budget check counts them), named as the store names them now.
  const spenderIds = new Set(sessions.map((s) => s.userId));
  const names = new Map((await deps.store.users.getByNames([...new Set(sessions.map((s) => s.userName))])).filter((u) => spenderIds.has(u.id)).map((u) => [u.id, u.name]));
  for (const id of spenderIds) {
    if (names.has(id)) continue;
    const renamed = await deps.store.users.getById(id);
    if (renamed) names.set(id, renamed.name);
  }
  const spenders = [...names.values()];
  const amounts = await deps.budgets.budgetsIn(period, [...spenders, ...users]);
  const accounts = await deps.store.users.getByNames(amounts.filter((a) => a.scope === 'user').map((a) => a.name));
  const ids = new Map(accounts.map((u) => [u.name, u.id]));
  const rows: BudgetOverviewRow[] = [];
  for (const a of amounts) {
    if (a.amount === null) continue;
    const id = ids.get(a.name);
    if (a.scope === 'user' && id === undefined) continue;
    const charged = sessions.filter((s) => (a.scope === 'user' ? s.userId === id : s.groupName === a.name));
    const spent = accrued(charged, period.start, period.end, now);
    rows.push({ ...a, amount: a.amount, spent: roundUnits(spent), remaining: roundUnits(a.amount - spent) });
  }
  return rows;
}
