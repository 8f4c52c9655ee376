import { Router, type Request, type Response } from 'express';
import type { BudgetAdmin, BudgetTarget } from '../../services/budget-admin';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireScope } from '../auth-guard';
import { userResource } from './scope-check';

/**
 * Admin changes to a budget for the current period (docs/budgets.md), `admin:users` on the user
 * for `user` budgets, `admin:groups` on the group for `group` budgets, through {@link BudgetAdmin}
 * (validation and the audit record, shared with the admin page). Bad input: 400
 * `invalid_budget` naming the field, nothing changed. Each answers the budget's state after the
 * change (`BudgetAdjustmentModel`).
 * - `POST /clusterhub/budgets/:scope/:name/top-up` `{units, note?}`: adds units to this period.
 * - `PUT /clusterhub/budgets/:scope/:name` `{limit}`: this period's amount instead of the configured one.
 * - `DELETE /clusterhub/budgets/:scope/:name`: removes that override.
 */
export function budgetAdminRouter(ctx: HubContext, admin: BudgetAdmin): Router {
  const router = Router();

  /** Checks the names and the caller; the budget's key for the current period. */
  const target = (req: Request): Promise<BudgetTarget> =>
    admin.target(param(req, 'scope'), param(req, 'name'), async (scope, name) => {
      if (scope === 'user') requireScope(req, 'admin:users', await userResource(ctx, name));
      else requireScope(req, 'admin:groups', { group: name });
    });

  router.post(
    '/clusterhub/budgets/:scope/:name/top-up',
    asyncHandler(async (req: Request, res: Response) => {
      const t = await target(req);
      const body = bodyOf(req, ['units', 'note']);
      res.json(await admin.topUp(t, body['units'], body['note']));
    }),
  );

  router.put(
    '/clusterhub/budgets/:scope/:name',
    asyncHandler(async (req: Request, res: Response) => {
      const t = await target(req);
      res.json(await admin.setLimit(t, bodyOf(req, ['limit'])['limit']));
    }),
  );

  router.delete(
    '/clusterhub/budgets/:scope/:name',
    asyncHandler(async (req: Request, res: Response) => {
      res.json(await admin.removeLimit(await target(req)));
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
