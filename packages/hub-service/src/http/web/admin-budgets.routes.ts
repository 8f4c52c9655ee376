import type { Request, RequestHandler, Router } from 'express';
import type { BudgetAdmin, BudgetTarget } from '../../services/budget-admin';
import { day, gapMessage } from '../../services/budget-periods';
import type { Identity } from '../../services/identity';
import type { UserRecord } from '../../store/store';
import type { AdminBudgetsView } from '../pages/admin-budgets';
import { param } from '../async-handler';

/** The admin page's helpers the budget forms run in (http/web/admin.routes.ts). */
export interface AdminFormKit {
  /** Runs a form action (session, XSRF, then `act`) and redirects back with its notice or refusal. */
  readonly action: (act: (viewer: Identity & { user: UserRecord }, req: Request) => Promise<string>) => RequestHandler;
  /** Refuses (403) unless `viewer` holds `scope` on the resource. */
  readonly need: (viewer: Identity, scope: string, resource?: { user?: string; group?: string }) => void;
}

/** Marks the audit events of these forms (`details.via`). */
const VIA = 'admin-page';

/** A decimal number typed in a form field. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A form field as the budget service takes it: a decimal becomes a number, empty is absent, anything else stays text (and is refused as the API refuses it). */
function formValue(req: Request, name: string): unknown {
  const value = (req.body as Record<string, unknown>)[name];
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  return DECIMAL.test(text) ? Number(text) : text;
}

/** A note typed in the form: the text, or absent when empty. */
function formNote(req: Request): unknown {
  const value = (req.body as Record<string, unknown>)['note'];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Compute units for notices: at most 2 decimals. */
function cu(value: number | null): string {
  return value === null ? 'no budget' : `${Math.round(value * 100) / 100} CU`;
}

/**
 * The admin page's budget forms (pages/admin-budgets.ts), all through {@link BudgetAdmin}, the
 * service behind `…/clusterhub/budgets/{scope}/{name}` (same validation, same audit events, marked
 * `via: admin-page`); `admin:users` on the user or `admin:groups` on the group, as the API.
 * - `POST /admin/budgets/:scope/:name/top-up` (`units`, `note`)
 * - `POST /admin/budgets/:scope/:name/limit` (`limit`)
 * - `POST /admin/budgets/:scope/:name/limit/remove`
 */
export function addBudgetForms(router: Router, admin: BudgetAdmin, kit: AdminFormKit): void {
  const target = (viewer: Identity, req: Request): Promise<BudgetTarget> =>
    admin.target(param(req, 'scope'), param(req, 'name'), (scope, name) => kit.need(viewer, scope === 'user' ? 'admin:users' : 'admin:groups', scope === 'user' ? { user: name } : { group: name }));
  const described = (t: BudgetTarget): string => (t.scope === 'user' ? `the budget of ${t.name}` : `the budget of group ${t.name}`);

  router.post(
    '/admin/budgets/:scope/:name/top-up',
    kit.action(async (viewer, req) => {
      const t = await target(viewer, req);
      const units = formValue(req, 'units');
      const after = await admin.topUp(t, units, formNote(req), VIA);
      return `Topped up ${described(t)} by ${cu(typeof units === 'number' ? units : null)}: ${cu(after.remaining)} left of ${cu(after.amount)}.`;
    }),
  );

  router.post(
    '/admin/budgets/:scope/:name/limit',
    kit.action(async (viewer, req) => {
      const t = await target(viewer, req);
      const after = await admin.setLimit(t, formValue(req, 'limit'), VIA);
      return `Set ${described(t)} to ${cu(after.limit_override)} this period: ${cu(after.remaining)} left of ${cu(after.amount)}.`;
    }),
  );

  router.post(
    '/admin/budgets/:scope/:name/limit/remove',
    kit.action(async (viewer, req) => {
      const t = await target(viewer, req);
      const after = await admin.removeLimit(t, VIA);
      return `Removed this period's override of ${described(t)}: ${cu(after.remaining)} left of ${cu(after.amount)}.`;
    }),
  );
}

/** The budgets section's rows for the page's `users` (budgets that apply to them, and all others of the period). */
export async function budgetSection(admin: BudgetAdmin, users: readonly string[]): Promise<Pick<AdminBudgetsView, 'budgets' | 'periodStart' | 'periodEnd' | 'gap'>> {
  const found = await admin.overview(users);
  // Between terms: the gap said in words (no rows; top-ups and overrides are refused until a term opens).
  if (found.period === null) return { budgets: found.rows, periodStart: '—', periodEnd: '—', gap: gapMessage(found.gap) };
  return { budgets: found.rows, periodStart: day(found.period.start), periodEnd: day(found.period.end), gap: null };
}
