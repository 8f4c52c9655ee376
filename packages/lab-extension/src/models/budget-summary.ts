/**
 * The budget part of the Resources panel as plain data: one line per budget that limits the user
 * (their own, then their groups' by name), with how much of it is used, and the period it is for.
 * Pure: the view translates and renders it.
 */
import type { IHubBudget, IHubBudgets } from '../client/hub-models';

/** One budget, ready to show. */
export interface IBudgetLine {
  readonly kind: 'user' | 'group';
  readonly name: string;
  readonly amount: number;
  readonly spent: number;
  readonly remaining: number;
  /** spent / amount, between 0 and 1 (1 when the amount is 0 or overspent). */
  readonly used: number;
  /** Nothing left (remaining ≤ 0). */
  readonly exhausted: boolean;
}

/** The period the budgets are for. */
export interface IBudgetPeriod {
  /** `month`, `quarter`, `year` or `terms`. */
  readonly kind: string;
  /** The term's name with `terms`, else null. */
  readonly term: string | null;
  /** The period's last day (YYYY-MM-DD, UTC), or null when unknown. */
  readonly lastDay: string | null;
}

/** Compute units for display: at most two decimals, no trailing zeros. */
export function formatUnits(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function lineOf(budget: IHubBudget): IBudgetLine {
  const used = budget.amount <= 0 ? 1 : Math.min(1, Math.max(0, budget.spent / budget.amount));
  return { kind: budget.kind, name: budget.name, amount: budget.amount, spent: budget.spent, remaining: budget.remaining, used, exhausted: budget.remaining <= 0 };
}

/** The lines of a budgets answer: the user's own budget first, then the groups' by name. */
export function budgetLines(budgets: IHubBudgets): IBudgetLine[] {
  const groups = [...budgets.groups].sort((a, b) => a.name.localeCompare(b.name)).map(lineOf);
  return budgets.budget === null ? groups : [lineOf(budgets.budget), ...groups];
}

/** The period of a budgets answer (its end is exclusive: the last day is the day before). */
export function budgetPeriod(budgets: IHubBudgets): IBudgetPeriod {
  const end = budgets.period_end === null ? Number.NaN : Date.parse(budgets.period_end);
  const lastDay = Number.isNaN(end) ? null : new Date(end - 1).toISOString().slice(0, 10);
  return { kind: budgets.period, term: budgets.term, lastDay };
}
