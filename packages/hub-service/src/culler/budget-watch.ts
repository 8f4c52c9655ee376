/**
 * Budget warnings on running servers (docs/budgets.md): at each culler pass, every running
 * server's budgets (its user's own, and the group its session is charged to) are measured against
 * `budgets.warnAtPercent`; when one reaches a threshold the server was not yet told about this
 * period, the server gets a notice (reason `budget`, action `notify`) through the culler's
 * {@link CullWarnings}: its message, the culling API and the webhook. One notice per threshold per
 * period and start of the server; a keep-alive does not take it back; it goes at the first pass
 * of the next period. Kept in memory: after a hub restart a server is told again.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { BudgetService, BudgetState } from '../services/budget';
import { AT_FULL_NO_ACTION, newThreshold, percentUsed, thresholdMessage } from '../services/budget-thresholds';
import type { ServerRecord, UserRecord } from '../store/store';
import type { CullWarnings } from './warnings';

/** Collaborators of {@link BudgetWatch}. */
export interface BudgetWatchDeps {
  readonly budgets: Pick<BudgetService, 'serverBudgets'>;
  readonly profiles: readonly ProfileConfig[];
  /** `budgets.warnAtPercent` (ascending). */
  readonly thresholds: readonly number[];
  /** `budgets.period`, for the wording. */
  readonly period: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the notices are kept (shared with the other culler rules). */
  readonly warnings: CullWarnings;
}

/** What a pass did to one server. */
export interface BudgetOutcome {
  readonly kind: 'notify' | 'clear';
  readonly user: string;
  readonly server: string;
}

/** See the module comment. */
export class BudgetWatch {
  /** Highest threshold told, by server, start, budget and period. */
  private readonly told = new Map<string, { serverId: number; threshold: number }>();

  /** @param deps budgets, profiles, thresholds, clock, logger and warnings. */
  constructor(private readonly deps: BudgetWatchDeps) {}

  /** Forgets what servers not in `active` were told. */
  retain(active: Iterable<number>): void {
    const keep = new Set(active);
    for (const [key, mark] of [...this.told]) if (!keep.has(mark.serverId)) this.told.delete(key);
  }

  /** Judges one running server; what it did, or null. */
  async check(user: UserRecord, server: ServerRecord): Promise<BudgetOutcome | null> {
    if (server.state !== 'running') return null;
    const { warnings, clock } = this.deps;
    const given = warnings.warning(server, 'budget');
    if (this.deps.thresholds.length === 0 && given === null) return null;
    const now = clock();
    const profile = this.deps.profiles.find((p) => p.slug === server.profile);
    const { period, budgets } = await this.deps.budgets.serverBudgets(user, profile);
    if (given !== null && given.action === 'notify' && given.warnedAt < period.start.getTime()) {
      await warnings.takeBack(server, 'budget');
      return { kind: 'clear', user: user.name, server: server.name };
    }
    let chosen: { budget: BudgetState; percent: number } | null = null;
    for (const budget of budgets) {
      const key = `${server.id}|${server.started?.getTime() ?? ''}|${budget.kind}|${budget.name}|${period.start.getTime()}`;
      const percent = percentUsed(budget);
      const threshold = newThreshold(percent, this.deps.thresholds, this.told.get(key)?.threshold ?? null);
      if (threshold === null) continue;
      this.told.set(key, { serverId: server.id, threshold });
      if (chosen === null || percent > chosen.percent) chosen = { budget, percent };
    }
    if (chosen === null) return null;
    await warnings.warn(user, server, {
      reason: 'budget',
      action: 'notify',
      warnedAt: now,
      // A notice is due when given (as a GPU-idle notice), so that each threshold has its own time.
      actionAt: now,
      keepAlive: false,
      message: thresholdMessage(chosen.budget, this.deps.period, AT_FULL_NO_ACTION),
    });
    this.deps.logger.info({ user: user.name, server: server.name, budget: chosen.budget.kind, name: chosen.budget.name, percent: Math.floor(chosen.percent) }, 'budget threshold reached');
    return { kind: 'notify', user: user.name, server: server.name };
  }
}
