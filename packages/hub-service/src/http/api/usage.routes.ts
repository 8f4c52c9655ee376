import { Router, type Request, type Response } from 'express';
import type { BudgetPeriodModel, BudgetStateModel, UserBudgetsModel } from '@clusterhub/shared';
import type { BudgetPeriod, BudgetService, BudgetState, UserBudgets } from '../../services/budget';
import { gapMessage } from '../../services/budget-periods';
import type { Ledger } from '../../services/ledger';
import { reportCsv, type UsageReport } from '../../services/ledger-report';
import type { ResolvedBudgetsConfig } from '../../config/types';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { allows, requireIdentity } from '../auth-guard';
import { requireAnyScope, userResource } from './scope-check';

/** What {@link usageRouter} serves from. */
export interface UsageRouterDeps {
  readonly ledger: Ledger;
  readonly budgets: BudgetService;
  readonly period: ResolvedBudgetsConfig['period'];
}

/** The longest report window (about 10 years). */
const MAX_WINDOW_MS = 3660 * 86_400_000;

/**
 * clusterhub's compute-unit endpoints (docs/budgets.md), with `read:users` as the rest of the
 * API: on the user in question (owners, admins), 404 when held only for others, 403 when not at all.
 * - `GET /clusterhub/usage?user=&from=&to=`: usage per user, group, profile and price in
 *   `[from, to)` (ISO 8601; default: the current budget period up to now; between terms from the
 *   end of the previous term) as JSON (with the current budget period), or CSV with
 *   `Accept: text/csv`. Without `user`: everyone for callers holding `read:users` on all users,
 *   else the caller's own usage.
 * - `GET /clusterhub/budgets/:name`: the user's budgets this period (amount, spent, remaining).
 */
export function usageRouter(ctx: HubContext, deps: UsageRouterDeps): Router {
  const router = Router();

  router.get(
    '/clusterhub/usage',
    asyncHandler(async (req: Request, res: Response) => {
      const identity = requireIdentity(req);
      const now = new Date(ctx.clock());
      const { period, gap } = deps.budgets.lookup();
      const from = dateParam(req, 'from') ?? period?.start ?? gap?.previous?.end ?? null;
      if (from === null) throw new HubError('invalid_query', `Invalid query: give from (${gapMessage(gap ?? { previous: null, next: null })}).`, { details: { param: 'from' } });
      const to = dateParam(req, 'to') ?? now;
      if (from.getTime() >= to.getTime()) throw new HubError('invalid_query', 'Invalid query: from must be before to.', { details: { param: 'from' } });
      if (to.getTime() - from.getTime() > MAX_WINDOW_MS) throw new HubError('invalid_query', 'Invalid query: the window from..to is longer than 10 years.', { details: { param: 'to' } });
      const userParam = stringParam(req, 'user');
      let userName: string | null = userParam;
      if (userName === null && !allows(identity, 'read:users')) {
        if (identity.kind !== 'user') throw new HubError('forbidden', 'Action is not authorized with current scopes; requires read:users.');
        userName = identity.name;
      }
      let userId: number | undefined;
      if (userName !== null) {
        requireAnyScope(req, ['read:users'], await userResource(ctx, userName));
        userId = (await ctx.users.get(userName)).id;
      }
      const report = await deps.ledger.report({ from, to, userId });
      if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
        res.type('text/csv; charset=utf-8').send(reportCsv(report));
        return;
      }
      res.json(reportModel(report, userName, period === null ? null : periodModel(deps.period, period)));
    }),
  );

  router.get(
    '/clusterhub/budgets/:name',
    asyncHandler(async (req: Request, res: Response) => {
      const name = param(req, 'name');
      // read:users implies read:budgets; the Lab's token holds only the latter (server-credentials.ts).
      requireAnyScope(req, ['read:budgets'], await userResource(ctx, name));
      const user = await ctx.users.get(name);
      res.json(budgetsModel(await deps.budgets.budgetsOf(user)));
    }),
  );

  return router;
}

/** An optional single-valued query parameter; a repeated one is refused. */
function stringParam(req: Request, name: string): string | null {
  const value = req.query[name];
  if (value === undefined) return null;
  if (typeof value !== 'string' || value === '') throw new HubError('invalid_query', `Invalid query: ${name} must be given once, not empty.`, { details: { param: name } });
  return value;
}

/** An optional ISO 8601 date-time parameter (a date alone means its midnight UTC). */
function dateParam(req: Request, name: string): Date | null {
  const value = stringParam(req, name);
  if (value === null) return null;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
  const date = new Date(value);
  if (!ok || Number.isNaN(date.getTime())) {
    throw new HubError('invalid_query', `Invalid query: ${name}=${JSON.stringify(value)} is not an ISO 8601 date or date-time with a zone (e.g. 2026-11-01 or 2026-11-01T00:00:00Z).`, {
      details: { param: name },
    });
  }
  return date;
}

/** The current budget period, as the usage report names it. */
function periodModel(kind: ResolvedBudgetsConfig['period'], p: BudgetPeriod): BudgetPeriodModel {
  return { period: kind, term: p.term, start: p.start.toISOString(), end: p.end.toISOString() };
}

/** The JSON of a usage report; `budgetPeriod`: the current budget period (null between terms). */
function reportModel(report: UsageReport, user: string | null, budgetPeriod: BudgetPeriodModel | null): Record<string, unknown> {
  return {
    user,
    from: report.from.toISOString(),
    to: report.to.toISOString(),
    budget_period: budgetPeriod,
    unit: 'CU',
    usage: report.lines.map((l) => ({ user: l.user, group: l.group, profile: l.profile, price_per_hour: l.pricePerHour, hours: l.hours, cost: l.cost })),
    total: { hours: report.totalHours, cost: report.totalCost },
  };
}

function budgetModel(b: BudgetState): BudgetStateModel {
  return { kind: b.kind, name: b.name, amount: b.amount, carried_over: b.carriedOver, spent: b.spent, remaining: b.remaining };
}

/** The JSON of a user's budgets. */
function budgetsModel(b: UserBudgets): UserBudgetsModel {
  return {
    user: b.user,
    period: b.period,
    term: b.current?.term ?? null,
    // Between terms: the gap's bounds (the previous term's end, the next one's start).
    period_start: (b.current?.start ?? b.gap?.previous?.end)?.toISOString() ?? null,
    period_end: (b.current?.end ?? b.gap?.next?.start)?.toISOString() ?? null,
    gap: b.gap && { previous_term: b.gap.previous?.term ?? null, next_term: b.gap.next?.term ?? null, message: gapMessage(b.gap) },
    unit: 'CU',
    spent: b.spent,
    remaining: b.userBudget?.remaining ?? null,
    budget: b.userBudget ? budgetModel(b.userBudget) : null,
    groups: b.groupBudgets.map(budgetModel),
  };
}
