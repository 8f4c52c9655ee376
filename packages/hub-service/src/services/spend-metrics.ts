import type { ResolvedBudgetsConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { HubMetrics } from '../observability/metrics';
import type { Store, UsageRecord } from '../store/store';
import { periodOf } from './budget';
import { accrued, roundUnits, sessionHours } from './ledger-report';

/** Dependencies of {@link SpendMetrics}. */
export interface SpendMetricsDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly budgets: ResolvedBudgetsConfig;
  readonly metrics: HubMetrics;
}

/**
 * The spend metrics (docs/budgets.md), brought up to date before every scrape, from the ledger:
 * - `clusterhub_compute_units_spent_total{user,group,profile}`: the first scrape after the hub
 *   starts adds the whole ledger up to then; each later one adds what accrued since the previous
 *   scrape (sessions open or ended in that window, clipped to it). Windows never overlap, so
 *   nothing counts twice, and a restarted hub starts again from the full ledger: restart-safe.
 * - `clusterhub_budget_remaining_units{scope,name}`: each configured group budget, each user
 *   listed in `budgets.users`, and (with `budgets.defaultUser`) each user who spent anything
 *   this period; remaining = amount − spent, as `GET …/clusterhub/budgets/{name}` reports it.
 */
export class SpendMetrics {
  /** End of the window already counted; null before the first scrape. */
  private countedUpTo: Date | null = null;
  /** Scrapes take turns (two at once must not count one window twice). */
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SpendMetricsDeps) {}

  /** Registers {@link refresh} to run before every scrape. */
  attach(): void {
    this.deps.metrics.addScrapeHook(() => this.refresh());
  }

  /** Brings both metrics up to the clock's now. */
  refresh(): Promise<void> {
    const next = this.running.then(() => this.update());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async update(): Promise<void> {
    const now = new Date(this.deps.clock());
    await this.countSpent(now);
    await this.setRemaining(now);
  }

  private async countSpent(now: Date): Promise<void> {
    const from = this.countedUpTo ?? new Date(0);
    if (now.getTime() <= from.getTime()) return;
    const sessions = await this.deps.store.usage.list({ from, to: now });
    for (const s of sessions) {
      const units = sessionHours(s, from, now, now) * s.pricePerHour;
      this.deps.metrics.addUnitsSpent({ user: s.userName, group: s.groupName ?? '', profile: s.profile }, units);
    }
    this.countedUpTo = now;
  }

  private async setRemaining(now: Date): Promise<void> {
    const config = this.deps.budgets;
    const period = periodOf(config.period, now);
    const sessions = await this.deps.store.usage.list({ from: period.start, to: period.end });
    const spentBy = (pick: (s: UsageRecord) => boolean): number => accrued(sessions.filter(pick), period.start, period.end, now);
    const budgets: { scope: 'user' | 'group'; name: string; remaining: number }[] = [];
    for (const [group, amount] of Object.entries(config.groups)) {
      budgets.push({ scope: 'group', name: group, remaining: roundUnits(amount - spentBy((s) => s.groupName === group)) });
    }
    // Users by id (as the budget check counts them), named as the store names them now.
    const listed = await this.deps.store.users.getByNames(Object.keys(config.users));
    const users = new Map(listed.map((u) => [u.id, u.name]));
    if (config.defaultUser !== null) {
      for (const s of sessions) if (!users.has(s.userId)) users.set(s.userId, (await this.deps.store.users.getById(s.userId))?.name ?? s.userName);
    }
    for (const [id, name] of users) {
      const amount = Object.hasOwn(config.users, name) ? config.users[name] : config.defaultUser;
      if (amount === undefined || amount === null) continue;
      budgets.push({ scope: 'user', name, remaining: roundUnits(amount - spentBy((s) => s.userId === id)) });
    }
    this.deps.metrics.setBudgetsRemaining(budgets);
  }
}
