import { Router, type Request, type Response } from 'express';
import { nameProblem } from '@clusterhub/shared';
import type { BudgetPeriod } from '../../services/budget';
import { roundUnits } from '../../services/ledger-report';
import type { BudgetScope } from '../../store/budget-adjustment-repository';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireScope } from '../auth-guard';
import { userResource } from './scope-check';
import type { UsageRouterDeps } from './usage.routes';

/** The largest top-up or limit (as the config's amounts). */
const MAX_UNITS = 1e9;
/** The longest note kept with a top-up. */
const MAX_NOTE = 500;

/**
 * Admin changes to a budget for the current period (docs/budgets.md), `admin:users` on the user
 * for `user` budgets, `admin:groups` on the group for `group` budgets; each change is recorded in
 * the audit log (`budget.top-up`, `budget.override`). Bad input: 400 `invalid_budget` naming the
 * field, nothing changed. Each answers the budget's state after the change.
 * - `POST /clusterhub/budgets/:scope/:name/top-up` `{units, note?}`: adds units to this period.
 * - `PUT /clusterhub/budgets/:scope/:name` `{limit}`: this period's amount instead of the configured one.
 * - `DELETE /clusterhub/budgets/:scope/:name`: removes that override.
 */
export function budgetAdminRouter(ctx: HubContext, deps: UsageRouterDeps): Router {
  const router = Router();

  /** Checks the caller and the names; the budget's key for the current period. */
  const target = async (req: Request): Promise<{ scope: BudgetScope; name: string; period: BudgetPeriod; userId: number | null }> => {
    const scope = param(req, 'scope');
    const name = param(req, 'name');
    if (scope !== 'user' && scope !== 'group') throw new HubError('not_found', `No budget scope ${JSON.stringify(scope)}: user or group.`);
    const problem = nameProblem(name);
    if (problem) throw new HubError('invalid_name', `The ${scope} name ${JSON.stringify(name)} ${problem}.`);
    let userId: number | null = null;
    if (scope === 'user') {
      requireScope(req, 'admin:users', await userResource(ctx, name));
      userId = (await ctx.users.get(name)).id;
    } else {
      requireScope(req, 'admin:groups', { group: name });
    }
    return { scope, name, period: deps.budgets.currentPeriod(), userId };
  };

  /** The budget's state in the period, as answered. */
  const model = async (t: { scope: BudgetScope; name: string; period: BudgetPeriod; userId: number | null }): Promise<Record<string, unknown>> => {
    const adjustment = await ctx.store.budgets.get({ scope: t.scope, name: t.name, periodStart: t.period.start });
    const amount = await deps.budgets.effectiveAmount(t.scope, t.name, t.period);
    const window = { from: t.period.start, to: t.period.end };
    const spent = roundUnits(await deps.ledger.spent(t.userId !== null ? { ...window, userId: t.userId } : { ...window, group: t.name }));
    return {
      scope: t.scope,
      name: t.name,
      period_start: t.period.start.toISOString(),
      period_end: t.period.end.toISOString(),
      unit: 'CU',
      configured: t.scope === 'user' ? deps.budgets.userAmount(t.name) : deps.budgets.groupAmount(t.name),
      limit_override: adjustment?.limit ?? null,
      top_up: adjustment?.topUp ?? 0,
      amount,
      spent,
      remaining: amount === null ? null : roundUnits(amount - spent),
    };
  };

  router.post(
    '/clusterhub/budgets/:scope/:name/top-up',
    asyncHandler(async (req: Request, res: Response) => {
      const t = await target(req);
      const body = bodyOf(req, ['units', 'note']);
      const units = unitsField(body, 'units', false);
      const note = noteField(body);
      await ctx.store.budgets.addTopUp({ scope: t.scope, name: t.name, periodStart: t.period.start }, units, new Date(ctx.clock()));
      await ctx.audit?.record({ action: 'budget.top-up', user: t.scope === 'user' ? t.name : null, details: { scope: t.scope, name: t.name, units, note, period_start: t.period.start.toISOString() } });
      res.json(await model(t));
    }),
  );

  router.put(
    '/clusterhub/budgets/:scope/:name',
    asyncHandler(async (req: Request, res: Response) => {
      const t = await target(req);
      const limit = unitsField(bodyOf(req, ['limit']), 'limit', true);
      await ctx.store.budgets.setLimit({ scope: t.scope, name: t.name, periodStart: t.period.start }, limit, new Date(ctx.clock()));
      await ctx.audit?.record({ action: 'budget.override', user: t.scope === 'user' ? t.name : null, details: { scope: t.scope, name: t.name, limit, period_start: t.period.start.toISOString() } });
      res.json(await model(t));
    }),
  );

  router.delete(
    '/clusterhub/budgets/:scope/:name',
    asyncHandler(async (req: Request, res: Response) => {
      const t = await target(req);
      await ctx.store.budgets.setLimit({ scope: t.scope, name: t.name, periodStart: t.period.start }, null, new Date(ctx.clock()));
      await ctx.audit?.record({ action: 'budget.override', user: t.scope === 'user' ? t.name : null, details: { scope: t.scope, name: t.name, limit: null, period_start: t.period.start.toISOString() } });
      res.json(await model(t));
    }),
  );

  return router;
}

/** The JSON object body with only `allowed` keys. */
function bodyOf(req: Request, allowed: readonly string[]): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HubError('invalid_budget', `The body must be a JSON object with ${allowed.join(', ')}.`, { details: { field: allowed[0] } });
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => !allowed.includes(key));
  if (extra !== undefined) throw new HubError('unknown_field', `Unknown field "${extra}" in body.`, { details: { field: extra } });
  return record;
}

/** A JSON number of units: above 0 (or from 0 with `zeroOk`) up to 1e9. */
function unitsField(body: Record<string, unknown>, field: string, zeroOk: boolean): number {
  const value = body[field];
  const low = zeroOk ? 'from 0' : 'above 0';
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!zeroOk && value === 0) || value > MAX_UNITS) {
    throw new HubError('invalid_budget', `Invalid ${field}: must be a number of compute units ${low} up to 1e9 (got ${JSON.stringify(value) ?? 'nothing'}).`, { details: { field } });
  }
  return value;
}

/** The optional note: a string of at most 500 characters. */
function noteField(body: Record<string, unknown>): string | null {
  const value = body['note'];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_NOTE) throw new HubError('invalid_budget', `Invalid note: must be a string of at most ${MAX_NOTE} characters.`, { details: { field: 'note' } });
  return value;
}
