/**
 * Budgets of running servers on the culler's passes (docs/budgets.md). Every running server's
 * budgets (its user's own, and the group its ledger session was charged to at the start, even if
 * the user's groups changed since) are measured:
 * - at each threshold of `budgets.warnAtPercent` it was not yet told about this period, the server
 *   gets a notice (reason `budget`, action `notify`);
 * - with `budgets.onExhausted` stop or downshift, a server whose budget is used up is warned
 *   (reason `budget`, the time of the action), then after the grace period stopped (stop reason
 *   `budget`) or moved to the cheaper profile keeping its files (and the session's group when the
 *   cheaper profile lists it); the warning goes when the budget is no longer used up.
 * Notices and warnings are held by the culler's {@link CullWarnings} (message, culling API,
 * webhook); a keep-alive takes neither back. A notice goes at the first pass of the next period.
 * What a server was told is kept in memory: after a hub restart a server is told again.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedBudgetsConfig, ResolvedOnExhausted } from '../config/types';
import { periodName, thisPeriod } from '../services/budget-periods';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import { formatUnits, type BudgetPeriod, type BudgetService, type BudgetState } from '../services/budget';
import { decideExhausted } from '../services/budget-exhaustion';
import { AT_FULL_NO_ACTION, newThreshold, percentUsed, thresholdMessage } from '../services/budget-thresholds';
import type { ServerLifecycle } from '../services/server-lifecycle';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { BUDGET_DOWNSHIFT_MESSAGE_PREFIX, stoppedAt, type CullWarnings } from './warnings';
import { clockTime, duration } from './wording';

/** Collaborators of {@link BudgetWatch}. */
export interface BudgetWatchDeps {
  readonly budgets: Pick<BudgetService, 'serverBudgets'>;
  readonly profiles: readonly ProfileConfig[];
  /** `budgets.warnAtPercent` (ascending). */
  readonly thresholds: readonly number[];
  /** `budgets.onExhausted`. */
  readonly onExhausted: ResolvedOnExhausted;
  /** `budgets.period`, for the wording ("this month", "this term (WS2026)"). */
  readonly period: ResolvedBudgetsConfig['period'];
  readonly store: Pick<Store, 'servers'>;
  readonly lifecycle: Pick<ServerLifecycle, 'stop' | 'start'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the notices and warnings are kept (shared with the other culler rules). */
  readonly warnings: CullWarnings;
}

/** What a pass did to one server. */
export interface BudgetOutcome {
  readonly kind: 'notify' | 'warn' | 'clear' | 'stop' | 'downshift';
  readonly user: string;
  readonly server: string;
}

/** See the module comment. */
export class BudgetWatch {
  /** Highest threshold told, by server, start, budget and period. */
  private readonly told = new Map<string, { serverId: number; threshold: number }>();

  /** @param deps budgets, profiles, thresholds, the 100 % action, store, lifecycle, clock, logger and warnings. */
  constructor(private readonly deps: BudgetWatchDeps) {}

  /** Forgets what servers not in `active` were told. */
  retain(active: Iterable<number>): void {
    const keep = new Set(active);
    for (const [key, mark] of [...this.told]) if (!keep.has(mark.serverId)) this.told.delete(key);
  }

  /** Judges one running server; what it did, or null. */
  async check(user: UserRecord, server: ServerRecord): Promise<BudgetOutcome | null> {
    if (server.state !== 'running') return null;
    const { warnings, clock, onExhausted } = this.deps;
    const given = warnings.warning(server, 'budget');
    if (this.deps.thresholds.length === 0 && onExhausted.action === 'none' && given === null) return null;
    const now = clock();
    const outcome = (kind: BudgetOutcome['kind']): BudgetOutcome => ({ kind, user: user.name, server: server.name });
    const profile = this.deps.profiles.find((p) => p.slug === server.profile);
    const { period, budgets } = await this.deps.budgets.serverBudgets(user, server, profile);
    const pending = given !== null && given.action !== 'notify' ? given : null;
    const action = this.actionFor(profile);
    const decision = decideExhausted({ action: action ?? 'none', graceSeconds: onExhausted.graceSeconds }, budgets, pending, now);
    switch (decision.kind) {
      case 'clear':
        await warnings.takeBack(server, 'budget');
        return outcome('clear');
      case 'warn': {
        const what = action === 'stop' ? 'stopped' : `moved to ${this.target()?.displayName ?? ''} (your files stay as they are)`;
        await warnings.warn(user, server, {
          reason: 'budget',
          action: action ?? 'stop',
          warnedAt: now,
          actionAt: decision.actionAt,
          keepAlive: false,
          message: `${whose(decision.budget)} is used up: ${formatUnits(decision.budget.spent)} of ${formatUnits(decision.budget.amount)} CU ${thisPeriod(period, this.deps.period)}. This server will be ${what} at ${clockTime(decision.actionAt)} (in ${duration(decision.actionAt - now)}).`,
        });
        return outcome('warn');
      }
      case 'act':
        return action === 'downshift' ? this.downshift(user, server, decision.budget) : this.stop(user, server, decision.budget);
      case 'none':
        break;
    }
    if (pending !== null) return null;
    // A notice from an earlier period goes (between terms, no period is open: every notice goes).
    if (given !== null && (period === null || given.warnedAt < period.start.getTime())) {
      await warnings.takeBack(server, 'budget');
      return outcome('clear');
    }
    if (period === null) return null;
    return this.notify(user, server, budgets, period, profile);
  }

  /** A notice at a threshold not yet told about this period, or null. */
  private async notify(user: UserRecord, server: ServerRecord, budgets: readonly BudgetState[], period: BudgetPeriod, profile: ProfileConfig | undefined): Promise<BudgetOutcome | null> {
    const periodStart = period.start.getTime();
    let chosen: { budget: BudgetState; percent: number } | null = null;
    for (const budget of budgets) {
      const key = `${server.id}|${server.started?.getTime() ?? ''}|${budget.kind}|${budget.name}|${periodStart}`;
      const percent = percentUsed(budget);
      const threshold = newThreshold(percent, this.deps.thresholds, this.told.get(key)?.threshold ?? null);
      if (threshold === null) continue;
      this.told.set(key, { serverId: server.id, threshold });
      if (chosen === null || percent > chosen.percent) chosen = { budget, percent };
    }
    if (chosen === null) return null;
    const now = this.deps.clock();
    await this.deps.warnings.warn(user, server, {
      reason: 'budget',
      action: 'notify',
      warnedAt: now,
      // A notice is due when given (as a GPU-idle notice), so that each threshold has its own time.
      actionAt: now,
      keepAlive: false,
      message: thresholdMessage(chosen.budget, periodName(period, this.deps.period), this.atFull(profile)),
    });
    this.deps.logger.info({ user: user.name, server: server.name, budget: chosen.budget.kind, name: chosen.budget.name, percent: Math.floor(chosen.percent) }, 'budget threshold reached');
    return { kind: 'notify', user: user.name, server: server.name };
  }

  /** What happens at 100 %, for the notices. */
  private atFull(profile: ProfileConfig | undefined): string {
    const action = this.actionFor(profile);
    if (action === null) return AT_FULL_NO_ACTION;
    return action === 'stop' ? 'this server will be stopped' : `this server will be moved to ${this.target()?.displayName ?? ''}`;
  }

  private target(): ProfileConfig | undefined {
    return this.deps.profiles.find((p) => p.slug === this.deps.onExhausted.downshiftTo);
  }

  /**
   * The 100 % action for a server on `profile`: null for none (action `none`; or `downshift` and
   * the server already on the target or a profile priced no higher: it keeps running there).
   */
  private actionFor(profile: ProfileConfig | undefined): 'stop' | 'downshift' | null {
    const { action } = this.deps.onExhausted;
    if (action !== 'downshift') return action === 'stop' ? 'stop' : null;
    const target = this.target();
    return target !== undefined && (profile?.pricePerHour ?? 0) > (target.pricePerHour ?? 0) ? 'downshift' : null;
  }

  private async stop(user: UserRecord, server: ServerRecord, budget: BudgetState): Promise<BudgetOutcome> {
    await this.deps.lifecycle.stop(user, server, 'budget');
    const at = stoppedAt(await this.deps.store.servers.getById(server.id), this.deps.clock());
    const message = `This server was stopped at ${clockTime(at)}: ${lowerFirst(whose(budget))} is used up.`;
    await this.deps.store.servers.update(server.id, { message });
    this.deps.warnings.acted(user, server, { reason: 'budget', action: 'stop', message, at });
    this.deps.logger.info({ user: user.name, server: server.name, reason: 'budget' }, 'stopped server: budget used up');
    return { kind: 'stop', user: user.name, server: server.name };
  }

  private async downshift(user: UserRecord, server: ServerRecord, budget: BudgetState): Promise<BudgetOutcome> {
    const target = this.target();
    await this.deps.lifecycle.stop(user, server, 'budget');
    const at = clockTime(this.deps.clock());
    const stopped = (await this.deps.store.servers.getById(server.id)) ?? server;
    const why = `${lowerFirst(whose(budget))} is used up`;
    try {
      if (!target) throw new Error(`no profile ${String(this.deps.onExhausted.downshiftTo)}`);
      const start = await this.deps.lifecycle.start(user, stopped, { profile: target, userOptions: {}, overBudget: true, keepChargeGroup: true });
      await start.done;
      const restarted = await this.deps.store.servers.getById(server.id);
      const message = `${BUDGET_DOWNSHIFT_MESSAGE_PREFIX}${target.displayName} at ${at}: ${why}; your files are as you left them.`;
      await this.deps.store.servers.update(server.id, { message });
      this.deps.warnings.acted(user, server, { reason: 'budget', action: 'downshift', message, at: restarted?.started?.getTime() ?? this.deps.clock() });
      this.deps.logger.info({ user: user.name, server: server.name, profile: target.slug }, 'downshifted server: budget used up');
    } catch (err) {
      const failure = err instanceof Error ? err.message : String(err);
      const message = `This server was stopped at ${at}: ${why}; starting it on ${target?.displayName ?? String(this.deps.onExhausted.downshiftTo)} failed: ${failure}`;
      await this.deps.store.servers.update(server.id, { stopReason: 'budget', message });
      this.deps.warnings.acted(user, server, { reason: 'budget', action: 'downshift', message, at: stoppedAt(await this.deps.store.servers.getById(server.id), this.deps.clock()) });
      this.deps.logger.error({ user: user.name, server: server.name, err: failure }, 'budget downshift: the restart failed');
    }
    return { kind: 'downshift', user: user.name, server: server.name };
  }
}

/** "Your budget" or "The budget of group cps". */
function whose(budget: Pick<BudgetState, 'kind' | 'name'>): string {
  return budget.kind === 'user' ? 'Your budget' : `The budget of group ${budget.name}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
