/**
 * The admin page's "Budgets" section (docs/budgets.md): each budget that applies this period (between
 * budget terms: which term ended and which begins, and no rows)
 * (group budgets, listed users, users under `defaultUser`, budgets an admin changed) with its
 * configured amount, the amount that applies, what was spent and what remains, and per budget
 * three small forms: top up (`units`, `note`), set an override (`limit`), remove it.
 *
 * Form targets (all `POST`, field `_xsrf`): `{hub}admin/budgets/<scope>/<name>/top-up`,
 * `{hub}admin/budgets/<scope>/<name>/limit` and `{hub}admin/budgets/<scope>/<name>/limit/remove`.
 */
import { encodeSegment, html, type SafeHtml } from './html';

/** One budget row (compute units). */
export interface AdminBudgetRow {
  readonly scope: 'user' | 'group';
  readonly name: string;
  /** The configured amount, or null. */
  readonly configured: number | null;
  /** This period's limit override, or null. */
  readonly limit: number | null;
  /** Units topped up this period. */
  readonly topUp: number;
  /** The amount that applies. */
  readonly amount: number;
  readonly spent: number;
  readonly remaining: number;
}

/** What {@link renderBudgetSection} shows. */
export interface AdminBudgetsView {
  readonly baseHubUrl: string;
  readonly xsrf: string;
  readonly budgets: readonly AdminBudgetRow[];
  /** The period's first day and the next period's, e.g. `2026-11-01`, `2026-12-01`. */
  readonly periodStart: string;
  readonly periodEnd: string;
  /** Between budget terms: why no term is open (naming the terms), instead of the period; else null. */
  readonly gap: string | null;
}

/** Compute units for the table: at most 2 decimals. */
function units(value: number | null): string {
  return value === null ? '—' : String(Math.round(value * 100) / 100);
}

function changes(row: AdminBudgetRow): SafeHtml | null {
  const parts = [row.limit === null ? null : `override ${units(row.limit)}`, row.topUp === 0 ? null : `+${units(row.topUp)} topped up`].filter((p) => p !== null);
  return parts.length === 0 ? null : html`<div class="small muted">${parts.join(', ')}</div>`;
}

function budgetRow(view: AdminBudgetsView, row: AdminBudgetRow, index: number): SafeHtml {
  const path = `${view.baseHubUrl}admin/budgets/${row.scope}/${encodeSegment(row.name)}`;
  const xsrf = html`<input type="hidden" name="_xsrf" value="${view.xsrf}">`;
  const label = `${row.scope} ${row.name}`;
  return html`<tr data-budget="${row.scope}/${row.name}">
      <td><span class="chip">${row.scope}</span> <strong>${row.name}</strong></td>
      <td class="num">${units(row.configured)}</td>
      <td class="num budget-amount">${units(row.amount)}${changes(row)}</td>
      <td class="num budget-spent">${units(row.spent)}</td>
      <td class="num budget-remaining">${units(row.remaining)}</td>
      <td class="actions-cell">
        <details class="admin-edit"><summary id="budget-edit-${index}">Change</summary>
          <form method="post" action="${path}/top-up">${xsrf}
            <div class="field"><label for="topup-units-${index}">Top up (CU)</label><input type="text" inputmode="decimal" id="topup-units-${index}" name="units" required></div>
            <div class="field"><label for="topup-note-${index}">Note</label><input type="text" id="topup-note-${index}" name="note" maxlength="500"></div>
            <div class="actions"><button type="submit" class="btn btn-sm btn-primary" id="topup-${index}" aria-label="Top up ${label}">Top up</button></div>
          </form>
          <form method="post" action="${path}/limit">${xsrf}
            <div class="field"><label for="limit-${index}">Limit this period (CU)</label><input type="text" inputmode="decimal" id="limit-${index}" name="limit" required${row.limit === null ? null : html` value="${units(row.limit)}"`}></div>
            <div class="actions"><button type="submit" class="btn btn-sm" id="set-limit-${index}" aria-label="Set the limit of ${label}">Set limit</button></div>
          </form>
          ${row.limit === null
            ? null
            : html`<form class="inline" method="post" action="${path}/limit/remove">${xsrf}<button type="submit" class="btn btn-sm btn-danger" id="remove-limit-${index}" aria-label="Remove the limit override of ${label}">Remove override</button></form>`}
        </details>
      </td>
    </tr>`;
}

/** The "Budgets" card of the admin page. */
export function renderBudgetSection(view: AdminBudgetsView): SafeHtml {
  return html`<section class="card" aria-labelledby="budgets-title">
      <h2 id="budgets-title">Budgets</h2>
      <p class="small muted" id="budgets-period">${view.gap === null
        ? `This period: ${view.periodStart} to ${view.periodEnd} (UTC), in compute units. Top-ups and overrides end with the period.`
        : `${view.gap} Top-ups and overrides can be made once a term is open.`}</p>
      <div class="table-wrap">
        <table id="admin-budgets">
          <thead><tr><th scope="col">Budget</th><th scope="col">Configured</th><th scope="col">Amount</th><th scope="col">Spent</th><th scope="col">Remaining</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>${view.budgets.length === 0 ? html`<tr><td colspan="6" class="empty">${view.gap === null ? 'No budgets this period.' : 'No budget term is open.'}</td></tr>` : view.budgets.map((b, i) => budgetRow(view, b, i))}</tbody>
        </table>
      </div>
    </section>`;
}
