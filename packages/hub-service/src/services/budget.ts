import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedBudgetsConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { BudgetAdjustment, BudgetScope } from '../store/budget-adjustment-repository';
import type { Store, UserRecord } from '../store/store';
import { HubError } from '../errors';
import { chargedGroup, type Ledger } from './ledger';
import { roundUnits } from './ledger-report';

/** A budget period: `[start, end)`. */
export interface BudgetPeriod {
  readonly start: Date;
  readonly end: Date;
}

/** The period (`month`: the calendar month in UTC) that contains `now`. */
export function periodOf(period: ResolvedBudgetsConfig['period'], now: Date): BudgetPeriod {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period !== 'month') throw new Error(`unknown budget period ${String(period)}`);
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

/** One budget's state in the current period (compute units, rounded to 6 decimals). */
export interface BudgetState {
  /** `user`: the user's own budget; `group`: a group budget the user's sessions can be charged to. */
  readonly kind: 'user' | 'group';
  /** The user or group name. */
  readonly name: string;
  readonly amount: number;
  readonly spent: number;
  /** amount − spent (negative when overspent). */
  readonly remaining: number;
}

/** One budget's amount in a period: the configured one, an admin's changes, and what applies. */
export interface BudgetAmount {
  readonly scope: BudgetScope;
  /** The user or group name. */
  readonly name: string;
  /** The config's amount (`budgets.users` or `defaultUser`, `budgets.groups`), or null. */
  readonly configured: number | null;
  /** The period's limit override, or null. */
  readonly limit: number | null;
  /** Units topped up in the period (0 for none). */
  readonly topUp: number;
  /** What applies: (the override, else the configured amount) + the top-ups; null when no budget applies. */
  readonly amount: number | null;
}

/** A user's budgets in the current period. */
export interface UserBudgets {
  readonly user: string;
  readonly period: ResolvedBudgetsConfig['period'];
  readonly periodStart: Date;
  readonly periodEnd: Date;
  /** What the user spent this period, on every group. */
  readonly spent: number;
  /** The user's own budget; null when none applies. */
  readonly userBudget: BudgetState | null;
  /** Budgets of the user's groups that have one, by group name. */
  readonly groupBudgets: readonly BudgetState[];
}

/** Dependencies of {@link BudgetService}. */
export interface BudgetServiceDeps {
  readonly config: ResolvedBudgetsConfig;
  readonly store: Store;
  readonly ledger: Ledger;
  readonly clock: Clock;
}

/**
 * Budget policy (docs/budgets.md): what a user and their groups have left this period (the
 * configured amounts, or an admin's override, plus top-ups), and the check before a start. The
 * server lifecycle calls {@link checkStart} for every start (API and pages), before anything is
 * written.
 */
export class BudgetService {
  constructor(private readonly deps: BudgetServiceDeps) {}

  /** The user's own budget amount (its entry in `budgets.users`, else `defaultUser`), or null. */
  userAmount(userName: string): number | null {
    const own = Object.hasOwn(this.deps.config.users, userName) ? this.deps.config.users[userName] : undefined;
    return own ?? this.deps.config.defaultUser;
  }

  /** The group's budget amount, or null. */
  groupAmount(group: string): number | null {
    return Object.hasOwn(this.deps.config.groups, group) ? (this.deps.config.groups[group] ?? null) : null;
  }

  /** The user's budgets in the current period. */
  async budgetsOf(user: UserRecord): Promise<UserBudgets> {
    const period = periodOf(this.deps.config.period, new Date(this.deps.clock()));
    const spent = await this.deps.ledger.spent({ from: period.start, to: period.end, userId: user.id });
    const amount = await this.effectiveAmount('user', user.name, period);
    const groups = await this.deps.store.groups.groupNamesOf(user.id);
    const groupBudgets: BudgetState[] = [];
    for (const group of groups) {
      const state = await this.groupState(group, period);
      if (state) groupBudgets.push(state);
    }
    return {
      user: user.name,
      period: this.deps.config.period,
      periodStart: period.start,
      periodEnd: period.end,
      spent: roundUnits(spent),
      userBudget: amount === null ? null : state('user', user.name, amount, spent),
      groupBudgets,
    };
  }

  /**
   * Refuses (HubError `budget_exceeded`, HTTP 402) a start of `profile` by `user` when the user's
   * budget, or the budget of `group` (the group the session would be charged to, see
   * `chargedGroup`), has less left this period than one hour of the profile's price. Writes nothing.
   */
  async checkStart(user: UserRecord, profile: ProfileConfig, group: string | null): Promise<void> {
    const price = profile.pricePerHour ?? 0;
    const period = periodOf(this.deps.config.period, new Date(this.deps.clock()));
    const budgets: BudgetState[] = [];
    const amount = await this.effectiveAmount('user', user.name, period);
    if (amount !== null) budgets.push(state('user', user.name, amount, await this.deps.ledger.spent({ from: period.start, to: period.end, userId: user.id })));
    const groupBudget = group === null ? null : await this.groupState(group, period);
    if (groupBudget) budgets.push(groupBudget);
    const short = budgets.find((b) => b.remaining < price);
    if (!short) return;
    const whose = short.kind === 'user' ? `${user.name}'s budget` : `the budget of group ${short.name}`;
    throw new HubError(
      'budget_exceeded',
      `Budget exceeded! ${whose} has ${formatUnits(Math.max(0, short.remaining))} CU left of ${formatUnits(short.amount)} CU this ${this.deps.config.period}; ` +
        `profile ${profile.slug} costs ${formatUnits(price)} CU per hour. Contact an admin.`,
      {
        details: {
          budget: short.kind,
          name: short.name,
          amount: short.amount,
          spent: short.spent,
          remaining: short.remaining,
          profile: profile.slug,
          pricePerHour: price,
          periodEnd: period.end.toISOString(),
        },
      },
    );
  }

  /**
   * The budgets a running `server` of `user` on `profile` is charged to this period: the user's own
   * (when one applies) and that of the group its open ledger session was charged to at the start
   * (when it has one; the user's groups may have changed since), with the period. Without an open
   * session, the group the default rule gives now.
   */
  async serverBudgets(user: UserRecord, server: { readonly id: number }, profile: ProfileConfig | undefined): Promise<{ period: BudgetPeriod; budgets: BudgetState[] }> {
    const period = periodOf(this.deps.config.period, new Date(this.deps.clock()));
    const budgets: BudgetState[] = [];
    const amount = await this.effectiveAmount('user', user.name, period);
    if (amount !== null) budgets.push(state('user', user.name, amount, await this.deps.ledger.spent({ from: period.start, to: period.end, userId: user.id })));
    const session = await this.deps.ledger.lastSession(server.id);
    const group =
      session !== null && session.ended === null ? session.groupName : profile === undefined ? null : chargedGroup(profile, await this.deps.store.groups.groupNamesOf(user.id));
    const groupBudget = group === null ? null : await this.groupState(group, period);
    if (groupBudget) budgets.push(groupBudget);
    return { period, budgets };
  }

  /** The current period. */
  currentPeriod(): BudgetPeriod {
    return periodOf(this.deps.config.period, new Date(this.deps.clock()));
  }

  /**
   * A budget's amount in `period`: the admin's limit override for the period, else the configured
   * amount, plus the period's top-ups; null when no budget applies (neither configured nor set).
   */
  async effectiveAmount(scope: BudgetScope, name: string, period: BudgetPeriod): Promise<number | null> {
    return (await this.budgetAmount(scope, name, period)).amount;
  }

  /** A budget's configured amount, its changes in `period` and the amount that applies ({@link effectiveAmount}). */
  async budgetAmount(scope: BudgetScope, name: string, period: BudgetPeriod): Promise<BudgetAmount> {
    return this.amountWith(scope, name, await this.deps.store.budgets.get({ scope, name, periodStart: period.start }));
  }

  /**
   * Every budget that applies in `period`, with its amounts: each group in `budgets.groups`, each
   * user in `budgets.users`, each user or group an admin changed in the period, and the `users`
   * given (e.g. those under `defaultUser`); groups first, then by name. Budgets whose amount is
   * null (no configured amount, no override) are left out. Reads the period's changes once.
   */
  async budgetsIn(period: BudgetPeriod, users: readonly string[] = []): Promise<BudgetAmount[]> {
    const adjustments = new Map((await this.deps.store.budgets.listPeriod(period.start)).map((a) => [`${a.scope}\0${a.name}`, a]));
    const keys = new Set<string>([...Object.keys(this.deps.config.groups).map((g) => `group\0${g}`), ...[...Object.keys(this.deps.config.users), ...users].map((u) => `user\0${u}`), ...adjustments.keys()]);
    const amounts: BudgetAmount[] = [];
    for (const key of keys) {
      const [scope, name] = key.split('\0') as [BudgetScope, string];
      const amount = this.amountWith(scope, name, adjustments.get(key) ?? null);
      if (amount.amount !== null) amounts.push(amount);
    }
    return amounts.sort((a, b) => (a.scope === b.scope ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.scope === 'group' ? -1 : 1));
  }

  /** The one rule for the amount that applies: (the override, else the configured amount) + the top-ups. */
  private amountWith(scope: BudgetScope, name: string, adjustment: BudgetAdjustment | null): BudgetAmount {
    const configured = scope === 'user' ? this.userAmount(name) : this.groupAmount(name);
    const limit = adjustment?.limit ?? null;
    const topUp = adjustment?.topUp ?? 0;
    const base = limit ?? configured;
    return { scope, name, configured, limit, topUp, amount: base === null ? null : base + topUp };
  }

  private async groupState(group: string, period: BudgetPeriod): Promise<BudgetState | null> {
    const amount = await this.effectiveAmount('group', group, period);
    if (amount === null) return null;
    return state('group', group, amount, await this.deps.ledger.spent({ from: period.start, to: period.end, group }));
  }
}

function state(kind: BudgetState['kind'], name: string, amount: number, spent: number): BudgetState {
  return { kind, name, amount, spent: roundUnits(spent), remaining: roundUnits(amount - spent) };
}

/** Compute units for messages: at most 2 decimals. */
export function formatUnits(value: number): string {
  return String(Math.round(value * 100) / 100);
}
