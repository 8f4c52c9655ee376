import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedBudgetsConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { BudgetAdjustment, BudgetScope } from '../store/budget-adjustment-repository';
import type { Store, UserRecord } from '../store/store';
import { HubError } from '../errors';
import { chargedGroup, type Ledger } from './ledger';
import { accrued, roundUnits } from './ledger-report';
import { gapMessage, lookupPeriod, previousPeriod, thisPeriod, type BudgetGap, type BudgetPeriod, type PeriodLookup } from './budget-periods';

export { periodOf, type BudgetGap, type BudgetPeriod } from './budget-periods';

/** One budget's state in the current period (compute units, rounded to 6 decimals). */
export interface BudgetState {
  /** `user`: the user's own budget; `group`: a group budget the user's sessions can be charged to. */
  readonly kind: 'user' | 'group';
  /** The user or group name. */
  readonly name: string;
  readonly amount: number;
  /** Units carried over from the previous period, included in `amount` (0 without `budgets.carryOver`). */
  readonly carriedOver: number;
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
  /** Units carried over from the previous period (`budgets.carryOver`; 0 when off or none left). */
  readonly carriedOver: number;
  /** What applies: (the override, else the configured amount) + the top-ups + what was carried over; null when no budget applies. */
  readonly amount: number | null;
}

/** A user's budgets in the current period (none between terms). */
export interface UserBudgets {
  readonly user: string;
  readonly period: ResolvedBudgetsConfig['period'];
  /** The open period, or null between terms. */
  readonly current: BudgetPeriod | null;
  /** Between terms: the terms around now; else null. */
  readonly gap: BudgetGap | null;
  /** What the user spent this period, on every group (0 between terms). */
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
 * configured amounts, or an admin's override, plus top-ups and what the previous period left,
 * `budgets.carryOver`), and the check before a start. The
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
    const { period, gap } = this.lookup();
    if (period === null) return { user: user.name, period: this.deps.config.period, current: null, gap, spent: 0, userBudget: null, groupBudgets: [] };
    const spent = await this.deps.ledger.spent({ from: period.start, to: period.end, userId: user.id });
    const userBudget = await this.userState(user, period);
    const groups = await this.deps.store.groups.groupNamesOf(user.id);
    const groupBudgets: BudgetState[] = [];
    for (const group of groups) {
      const state = await this.groupState(group, period);
      if (state) groupBudgets.push(state);
    }
    return { user: user.name, period: this.deps.config.period, current: period, gap: null, spent: roundUnits(spent), userBudget, groupBudgets };
  }

  /**
   * Refuses (HubError `budget_exceeded`, HTTP 402) a start of `profile` by `user` when the user's
   * budget, or the budget of `group` (the group the session would be charged to, see
   * `chargedGroup`), has less left this period than one hour of the profile's price; between terms
   * refuses it (`no_budget_term`, HTTP 409) when a budget would limit it. Writes nothing.
   */
  async checkStart(user: UserRecord, profile: ProfileConfig, group: string | null): Promise<void> {
    const price = profile.pricePerHour ?? 0;
    const period = this.periodForStart(user, group);
    if (period === null) return;
    const budgets: BudgetState[] = [];
    const own = await this.userState(user, period);
    if (own) budgets.push(own);
    const groupBudget = group === null ? null : await this.groupState(group, period);
    if (groupBudget) budgets.push(groupBudget);
    const short = budgets.find((b) => b.remaining < price);
    if (!short) return;
    const whose = short.kind === 'user' ? `${user.name}'s budget` : `the budget of group ${short.name}`;
    throw new HubError(
      'budget_exceeded',
      `Budget exceeded! ${whose} has ${formatUnits(Math.max(0, short.remaining))} CU left of ${formatUnits(short.amount)} CU ${thisPeriod(period, this.deps.config.period)}; ` +
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
  async serverBudgets(user: UserRecord, server: { readonly id: number }, profile: ProfileConfig | undefined): Promise<{ period: BudgetPeriod | null; budgets: BudgetState[] }> {
    // Between terms: no period, no budgets.
    const period = this.currentPeriod();
    if (period === null) return { period, budgets: [] };
    const budgets: BudgetState[] = [];
    const own = await this.userState(user, period);
    if (own) budgets.push(own);
    const session = await this.deps.ledger.lastSession(server.id);
    const group =
      session !== null && session.ended === null ? session.groupName : profile === undefined ? null : chargedGroup(profile, await this.deps.store.groups.groupNamesOf(user.id));
    const groupBudget = group === null ? null : await this.groupState(group, period);
    if (groupBudget) budgets.push(groupBudget);
    return { period, budgets };
  }

  /** The current period, or null between terms. */
  currentPeriod(): BudgetPeriod | null {
    return this.lookup().period;
  }

  /** The current period, or the gap between terms that contains now. */
  lookup(): PeriodLookup {
    return lookupPeriod(this.deps.config, new Date(this.deps.clock()));
  }

  /**
   * The period a start is checked in. Between terms: null when no budget would limit the start
   * (no user budget, the charged group none), else the start is refused (HubError
   * `no_budget_term`, HTTP 409, naming the terms before and after).
   */
  private periodForStart(user: UserRecord, group: string | null): BudgetPeriod | null {
    const { period, gap } = this.lookup();
    if (period !== null) return period;
    if (this.userAmount(user.name) === null && (group === null || this.groupAmount(group) === null)) return null;
    throw new HubError('no_budget_term', `${gapMessage(gap)} Starts that a budget limits wait for the next term; contact an admin.`, {
      details: { previousTerm: gap.previous?.term ?? null, nextTerm: gap.next?.term ?? null, nextTermStart: gap.next?.start.toISOString() ?? null },
    });
  }

  /**
   * A budget's amount in `period`: the admin's limit override for the period, else the configured
   * amount, plus the period's top-ups; null when no budget applies (neither configured nor set).
   */
  async effectiveAmount(scope: BudgetScope, name: string, period: BudgetPeriod): Promise<number | null> {
    return (await this.budgetAmount(scope, name, period)).amount;
  }

  /** A budget's configured amount, its changes in `period`, what was carried over into it and the amount that applies ({@link effectiveAmount}). */
  async budgetAmount(scope: BudgetScope, name: string, period: BudgetPeriod): Promise<BudgetAmount> {
    const adjustment = await this.deps.store.budgets.get({ scope, name, periodStart: period.start });
    const before = this.carryFrom(period);
    if (before === null) return this.amountWith(scope, name, adjustment, 0);
    const own = this.amountWith(scope, name, await this.deps.store.budgets.get({ scope, name, periodStart: before.start }), 0).amount;
    let spent = 0;
    if (own !== null) {
      const window = { from: before.start, to: before.end };
      const user = scope === 'user' ? await this.deps.store.users.getByName(name) : null;
      if (scope === 'group') spent = await this.deps.ledger.spent({ ...window, group: name });
      else if (user) spent = await this.deps.ledger.spent({ ...window, userId: user.id });
    }
    return this.amountWith(scope, name, adjustment, this.carried(own, spent));
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
    const carried = await this.carriedInto(period, [...keys].map((key) => key.split('\0') as [BudgetScope, string]));
    const amounts: BudgetAmount[] = [];
    for (const key of keys) {
      const [scope, name] = key.split('\0') as [BudgetScope, string];
      const amount = this.amountWith(scope, name, adjustments.get(key) ?? null, carried.get(key) ?? 0);
      if (amount.amount !== null) amounts.push(amount);
    }
    return amounts.sort((a, b) => (a.scope === b.scope ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.scope === 'group' ? -1 : 1));
  }

  /**
   * The one rule for the amount that applies: (the override, else the configured amount) + the
   * top-ups + what was carried over (`carriedOver`, from {@link carried}); null when neither a
   * configured amount nor an override applies.
   */
  private amountWith(scope: BudgetScope, name: string, adjustment: BudgetAdjustment | null, carriedOver: number): BudgetAmount {
    const configured = scope === 'user' ? this.userAmount(name) : this.groupAmount(name);
    const limit = adjustment?.limit ?? null;
    const topUp = adjustment?.topUp ?? 0;
    const base = limit ?? configured;
    return { scope, name, configured, limit, topUp, carriedOver: base === null ? 0 : carriedOver, amount: base === null ? null : base + topUp + carriedOver };
  }

  /**
   * The one carry-over rule (`budgets.carryOver`): what the previous period's own amount (`own`:
   * override, else configured, plus top-ups; never what was carried into it) had left after
   * `spent`, never negative, at most `maxPercent` % of that amount.
   */
  private carried(own: number | null, spent: number): number {
    if (own === null) return 0;
    return roundUnits(Math.min((own * this.deps.config.carryOver.maxPercent) / 100, Math.max(0, own - spent)));
  }

  /** The period whose unused units carry into `period`, or null (carry-over off, or the first term). */
  private carryFrom(period: BudgetPeriod): BudgetPeriod | null {
    return this.deps.config.carryOver.enabled ? previousPeriod(this.deps.config, period) : null;
  }

  /** What each budget (`scope`, `name`) carries into `period`, by `scope\0name`: one read of the previous period's changes and ledger. */
  private async carriedInto(period: BudgetPeriod, budgets: readonly (readonly [BudgetScope, string])[]): Promise<Map<string, number>> {
    const carried = new Map<string, number>();
    const before = this.carryFrom(period);
    if (before === null || budgets.length === 0) return carried;
    const adjustments = new Map((await this.deps.store.budgets.listPeriod(before.start)).map((a) => [`${a.scope}\0${a.name}`, a]));
    const sessions = await this.deps.store.usage.list({ from: before.start, to: before.end });
    const ids = new Map((await this.deps.store.users.getByNames(budgets.filter(([scope]) => scope === 'user').map(([, name]) => name))).map((u) => [u.name, u.id]));
    const now = new Date(this.deps.clock());
    for (const [scope, name] of budgets) {
      const key = `${scope}\0${name}`;
      const own = this.amountWith(scope, name, adjustments.get(key) ?? null, 0).amount;
      const id = ids.get(name);
      const charged = sessions.filter((s) => (scope === 'group' ? s.groupName === name : id !== undefined && s.userId === id));
      carried.set(key, this.carried(own, own === null ? 0 : accrued(charged, before.start, before.end, now)));
    }
    return carried;
  }

  /** The user's own budget in `period`, or null when none applies. */
  private async userState(user: UserRecord, period: BudgetPeriod): Promise<BudgetState | null> {
    const amount = await this.budgetAmount('user', user.name, period);
    if (amount.amount === null) return null;
    return state('user', user.name, amount, await this.deps.ledger.spent({ from: period.start, to: period.end, userId: user.id }));
  }

  private async groupState(group: string, period: BudgetPeriod): Promise<BudgetState | null> {
    const amount = await this.budgetAmount('group', group, period);
    if (amount.amount === null) return null;
    return state('group', group, amount, await this.deps.ledger.spent({ from: period.start, to: period.end, group }));
  }
}

function state(kind: BudgetState['kind'], name: string, amount: BudgetAmount, spent: number): BudgetState {
  const total = amount.amount ?? 0;
  return { kind, name, amount: total, carriedOver: amount.carriedOver, spent: roundUnits(spent), remaining: roundUnits(total - spent) };
}

/** Compute units for messages: at most 2 decimals. */
export function formatUnits(value: number): string {
  return String(Math.round(value * 100) / 100);
}
