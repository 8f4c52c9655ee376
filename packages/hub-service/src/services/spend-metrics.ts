import type { Clock } from '../lib/clock';
import type { HubMetrics } from '../observability/metrics';
import type { Store } from '../store/store';
import type { BudgetService } from './budget';
import { budgetOverview } from './budget-overview';
import { sessionHours } from './ledger-report';

/** Dependencies of {@link SpendMetrics}. */
export interface SpendMetricsDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** The budget policy: the period and each budget's effective amount (top-ups and overrides). */
  readonly budgets: Pick<BudgetService, 'budgetsIn' | 'currentPeriod'>;
  readonly metrics: HubMetrics;
}

/**
 * The spend metrics (docs/budgets.md), brought up to date before every scrape, from the ledger:
 * - `clusterhub_compute_units_spent_total{user,group,profile}`: the first scrape after the hub
 *   starts adds the whole ledger up to then; each later one adds what accrued since the previous
 *   scrape (sessions open or ended in that window, clipped to it). Windows never overlap, so
 *   nothing counts twice, and a restarted hub starts again from the full ledger: restart-safe.
 * - `clusterhub_budget_remaining_units{scope,name}`: the budgets of {@link budgetOverview} (each
 *   configured group budget, each user listed in `budgets.users`, each user or group an admin
 *   topped up or overrode this period, and, with `budgets.defaultUser`, each user who spent
 *   anything this period); remaining = effective amount − spent, as
 *   `GET …/clusterhub/budgets/{name}` reports it and the start check enforces it.
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
    const period = this.deps.budgets.currentPeriod();
    // Between terms no budget applies: no series.
    const rows = period === null ? [] : await budgetOverview({ budgets: this.deps.budgets, store: this.deps.store }, period, now);
    this.deps.metrics.setBudgetsRemaining(rows.map((r) => ({ scope: r.scope, name: r.name, remaining: r.remaining })));
  }
}
