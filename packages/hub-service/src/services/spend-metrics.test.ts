import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ResolvedBudgetsConfig } from '../config/types';
import { HubMetrics } from '../observability/metrics';
import { openStore } from '../store/open';
import type { Store } from '../store/store';
import { BudgetService } from './budget';
import { Ledger } from './ledger';
import { SpendMetrics } from './spend-metrics';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-02T08:00:00Z');
const NOV = new Date('2026-11-01T00:00:00Z');
const BUDGETS: ResolvedBudgetsConfig = { period: 'month', terms: [], carryOver: { enabled: false, maxPercent: 100 }, defaultUser: 10, users: { alice: 50 }, groups: { gpu: 100 }, warnAtPercent: [], onExhausted: { action: 'none', downshiftTo: null, graceSeconds: 600 } };

/** The sample lines of `name` in a scrape, without HELP and TYPE. */
async function samples(metrics: HubMetrics, name: string): Promise<string[]> {
  return (await metrics.metrics()).split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe('SpendMetrics (real SQLite store, controlled clock)', () => {
  let store: Store;
  let now = T0;
  const hubs: HubMetrics[] = [];
  const hubMetrics = (config: ResolvedBudgetsConfig = BUDGETS): { metrics: HubMetrics; spend: SpendMetrics } => {
    const metrics = new HubMetrics();
    hubs.push(metrics);
    const clock = (): number => now;
    const budgets = new BudgetService({ config, store, ledger: new Ledger({ store, clock }), clock });
    const spend = new SpendMetrics({ store, clock, budgets, metrics });
    spend.attach();
    return { metrics, spend };
  };

  beforeEach(async () => {
    now = T0;
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    const alice = await store.users.create({ name: 'alice' });
    const bob = await store.users.create({ name: 'bob' });
    const base = { serverName: '', groupName: null, profile: 'cpu', pricePerHour: 0.1 };
    // Last month, closed: counts in the total, not in this period's budgets.
    await store.usage.open({ ...base, userId: alice.id, userName: 'alice', serverId: null, started: new Date(T0 - 40 * 24 * HOUR), ended: new Date(T0 - 39 * 24 * HOUR), endReason: 'user' });
    // Running since T0 on a GPU profile charged to group gpu.
    await store.usage.open({ ...base, userId: alice.id, userName: 'alice', serverId: 1, groupName: 'gpu', profile: 'gpu', pricePerHour: 8, started: new Date(T0) });
    await store.usage.open({ ...base, userId: bob.id, userName: 'bob', serverId: 2, started: new Date(T0) });
  });

  afterEach(async () => {
    for (const m of hubs.splice(0)) m.stop();
    await store.close();
  });

  it('starts from the whole ledger, adds only what accrued since the last scrape, and stays monotonic when a session ends', async () => {
    const { metrics } = hubMetrics();
    now = T0 + 2 * HOUR;
    expect(await samples(metrics, 'clusterhub_compute_units_spent_total')).toEqual([
      'clusterhub_compute_units_spent_total{user="alice",group="",profile="cpu"} 2.4000000000000004',
      'clusterhub_compute_units_spent_total{user="alice",group="gpu",profile="gpu"} 16',
      'clusterhub_compute_units_spent_total{user="bob",group="",profile="cpu"} 0.2',
    ]);
    now = T0 + 3 * HOUR;
    await store.usage.closeServer(1, new Date(now), 'user');
    now = T0 + 5 * HOUR;
    const later = await samples(metrics, 'clusterhub_compute_units_spent_total');
    expect(later).toContain('clusterhub_compute_units_spent_total{user="alice",group="gpu",profile="gpu"} 24');
    expect(later).toContain('clusterhub_compute_units_spent_total{user="bob",group="",profile="cpu"} 0.5');
  });

  it('is restart-safe: a new hub on the same store reports the same totals, not zero and not twice', async () => {
    const first = hubMetrics();
    now = T0 + HOUR;
    await first.metrics.metrics();
    now = T0 + 4 * HOUR;
    const before = await samples(first.metrics, 'clusterhub_compute_units_spent_total');
    const second = hubMetrics();
    expect(await samples(second.metrics, 'clusterhub_compute_units_spent_total')).toEqual(before);
  });

  it('reports what each budget has left this period: groups, listed users, and users under defaultUser who spent', async () => {
    const { metrics } = hubMetrics();
    now = T0 + 10 * HOUR;
    expect(await samples(metrics, 'clusterhub_budget_remaining_units')).toEqual([
      'clusterhub_budget_remaining_units{scope="group",name="gpu"} 20',
      'clusterhub_budget_remaining_units{scope="user",name="alice"} -30',
      'clusterhub_budget_remaining_units{scope="user",name="bob"} 9',
    ]);
  });

  it("uses the effective amounts (top-ups, overrides), as the budget service does, including budgets set for this period only", async () => {
    const at = new Date(T0);
    await store.budgets.addTopUp({ scope: 'user', name: 'alice', periodStart: NOV }, 5, at);
    await store.budgets.setLimit({ scope: 'group', name: 'gpu', periodStart: NOV }, 10, at);
    // No configured budget: the override makes one; a top-up alone makes none.
    await store.budgets.setLimit({ scope: 'group', name: 'lab', periodStart: NOV }, 30, at);
    await store.budgets.addTopUp({ scope: 'group', name: 'lab', periodStart: NOV }, 2, at);
    await store.budgets.addTopUp({ scope: 'group', name: 'ghost', periodStart: NOV }, 7, at);
    // Last month's override is over.
    await store.budgets.setLimit({ scope: 'group', name: 'old', periodStart: new Date('2026-10-01T00:00:00Z') }, 1, at);
    const { metrics } = hubMetrics();
    now = T0 + 10 * HOUR;
    expect(await samples(metrics, 'clusterhub_budget_remaining_units')).toEqual([
      'clusterhub_budget_remaining_units{scope="group",name="gpu"} -70',
      'clusterhub_budget_remaining_units{scope="group",name="lab"} 32',
      'clusterhub_budget_remaining_units{scope="user",name="alice"} -25',
      'clusterhub_budget_remaining_units{scope="user",name="bob"} 9',
    ]);
    // Without defaultUser, bob has a budget only through his override; removing it removes the series.
    const other = hubMetrics({ ...BUDGETS, defaultUser: null });
    await store.budgets.setLimit({ scope: 'user', name: 'bob', periodStart: NOV }, 4, at);
    expect(await samples(other.metrics, 'clusterhub_budget_remaining_units')).toContain('clusterhub_budget_remaining_units{scope="user",name="bob"} 3');
    await store.budgets.setLimit({ scope: 'user', name: 'bob', periodStart: NOV }, null, at);
    expect((await samples(other.metrics, 'clusterhub_budget_remaining_units')).filter((line) => line.includes('bob'))).toEqual([]);
  });

  it('takes concurrent scrapes in turn, counting each window once', async () => {
    const { metrics, spend } = hubMetrics();
    now = T0 + HOUR;
    await Promise.all([spend.refresh(), spend.refresh(), metrics.metrics()]);
    expect(await samples(metrics, 'clusterhub_compute_units_spent_total')).toContain('clusterhub_compute_units_spent_total{user="alice",group="gpu",profile="gpu"} 8');
  });
});
