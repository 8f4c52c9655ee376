import { nameProblem, type BudgetAdjustmentModel } from '@clusterhub/shared';
import type { BudgetScope } from '../store/budget-adjustment-repository';
import type { Store } from '../store/store';
import type { Clock } from '../lib/clock';
import { HubError } from '../errors';
import type { AuditLog } from './audit';
import type { BudgetPeriod, BudgetService } from './budget';
import { gapMessage, type PeriodLookup } from './budget-periods';
import { budgetOverview, type BudgetOverviewRow } from './budget-overview';
import type { Ledger } from './ledger';
import { roundUnits } from './ledger-report';
import type { UserService } from './users';

/** The largest top-up or limit (as the config's amounts). */
export const MAX_BUDGET_UNITS = 1e9;
/** The longest note kept with a top-up. */
export const MAX_BUDGET_NOTE = 500;

/** A budget an admin changes: its scope and name, the current period, and the user's id for a user budget. */
export interface BudgetTarget {
  readonly scope: BudgetScope;
  readonly name: string;
  readonly period: BudgetPeriod;
  readonly userId: number | null;
}

/** Dependencies of {@link BudgetAdmin}. */
export interface BudgetAdminDeps {
  readonly budgets: BudgetService;
  readonly ledger: Ledger;
  readonly store: Store;
  readonly users: Pick<UserService, 'get'>;
  readonly clock: Clock;
  readonly audit?: AuditLog;
}

/**
 * Admin changes to a budget for the current period (docs/budgets.md): top-ups and limit
 * overrides, validated and recorded in the audit log (`budget.top-up`, `budget.override`) in this
 * one place, for the REST API and the admin page alike. Values come as the caller got them
 * (`unknown`); bad ones are refused with 400 `invalid_budget` naming the field, nothing changed.
 * Permissions are the caller's business (the `authorize` step of {@link target}).
 */
export class BudgetAdmin {
  constructor(private readonly deps: BudgetAdminDeps) {}

  /**
   * The budget named by `scope` (`user` or `group`, else 404) and `name` (a valid name, else 400
   * `invalid_name`) in the current period, after `authorize` (which throws to refuse); a user
   * budget's user must exist (404).
   */
  async target(scope: string, name: string, authorize: (scope: BudgetScope, name: string) => Promise<void> | void): Promise<BudgetTarget> {
    if (scope !== 'user' && scope !== 'group') throw new HubError('not_found', `No budget scope ${JSON.stringify(scope)}: user or group.`);
    const problem = nameProblem(name);
    if (problem) throw new HubError('invalid_name', `The ${scope} name ${JSON.stringify(name)} ${problem}.`);
    await authorize(scope, name);
    const userId = scope === 'user' ? (await this.deps.users.get(name)).id : null;
    const { period, gap } = this.deps.budgets.lookup();
    if (period === null) throw new HubError('no_budget_term', `${gapMessage(gap)} Budgets can be changed while a term is open.`);
    return { scope, name, period, userId };
  }

  /** Adds `units` (above 0, up to 1e9) to the period with an optional `note`; the budget after. `via` marks the event (e.g. `admin-page`). */
  async topUp(t: BudgetTarget, units: unknown, note: unknown, via?: string): Promise<BudgetAdjustmentModel> {
    const amount = unitsValue(units, 'units', false);
    const text = noteValue(note);
    await this.deps.store.budgets.addTopUp(key(t), amount, new Date(this.deps.clock()));
    await this.record(t, 'budget.top-up', { units: amount, note: text }, via);
    return this.state(t);
  }

  /** Sets the period's limit (0 up to 1e9) instead of the configured amount; the budget after. */
  async setLimit(t: BudgetTarget, limit: unknown, via?: string): Promise<BudgetAdjustmentModel> {
    const value = unitsValue(limit, 'limit', true);
    await this.deps.store.budgets.setLimit(key(t), value, new Date(this.deps.clock()));
    await this.record(t, 'budget.override', { limit: value }, via);
    return this.state(t);
  }

  /** Removes the period's limit override; the budget after. */
  async removeLimit(t: BudgetTarget, via?: string): Promise<BudgetAdjustmentModel> {
    await this.deps.store.budgets.setLimit(key(t), null, new Date(this.deps.clock()));
    await this.record(t, 'budget.override', { limit: null }, via);
    return this.state(t);
  }

  /** The budget's state in its period, as the API answers it. */
  async state(t: BudgetTarget): Promise<BudgetAdjustmentModel> {
    const a = await this.deps.budgets.budgetAmount(t.scope, t.name, t.period);
    const window = { from: t.period.start, to: t.period.end };
    const spent = await this.deps.ledger.spent(t.userId !== null ? { ...window, userId: t.userId } : { ...window, group: t.name });
    return {
      scope: t.scope,
      name: t.name,
      term: t.period.term,
      period_start: t.period.start.toISOString(),
      period_end: t.period.end.toISOString(),
      unit: 'CU',
      configured: a.configured,
      limit_override: a.limit,
      top_up: a.topUp,
      carried_over: a.carriedOver,
      amount: a.amount,
      spent: roundUnits(spent),
      remaining: a.amount === null ? null : roundUnits(a.amount - spent),
    };
  }

  /**
   * Every budget that applies this period with its spending ({@link budgetOverview}), `users`
   * included when a budget applies to them. Between terms: no period (the gap instead), no rows.
   */
  async overview(users: readonly string[] = []): Promise<PeriodLookup & { rows: BudgetOverviewRow[] }> {
    const found = this.deps.budgets.lookup();
    if (found.period === null) return { ...found, rows: [] };
    return { ...found, rows: await budgetOverview({ budgets: this.deps.budgets, store: this.deps.store }, found.period, new Date(this.deps.clock()), users) };
  }

  private async record(t: BudgetTarget, action: string, change: Record<string, unknown>, via: string | undefined): Promise<void> {
    const details = { scope: t.scope, name: t.name, ...change, period_start: t.period.start.toISOString(), ...(via === undefined ? {} : { via }) };
    await this.deps.audit?.record({ action, user: t.scope === 'user' ? t.name : null, details });
  }
}

function key(t: BudgetTarget): { scope: BudgetScope; name: string; periodStart: Date } {
  return { scope: t.scope, name: t.name, periodStart: t.period.start };
}

/** A number of units: above 0 (or from 0 with `zeroOk`) up to 1e9. */
function unitsValue(value: unknown, field: string, zeroOk: boolean): number {
  const low = zeroOk ? 'from 0' : 'above 0';
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0) || value > MAX_BUDGET_UNITS) {
    throw new HubError('invalid_budget', `Invalid ${field}: must be a number of compute units ${low} up to 1e9 (got ${JSON.stringify(value) ?? 'nothing'}).`, { details: { field } });
  }
  return value;
}

/** The optional note: a string of at most 500 characters. */
function noteValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_BUDGET_NOTE) throw new HubError('invalid_budget', `Invalid note: must be a string of at most ${MAX_BUDGET_NOTE} characters.`, { details: { field: 'note' } });
  return value;
}
