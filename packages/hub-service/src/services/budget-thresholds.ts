/**
 * The decisions behind budget warnings (docs/budgets.md): how much of a budget is used, which
 * configured threshold (`budgets.warnAtPercent`) a budget has newly reached, and what the user is
 * told. Pure functions; {@link BudgetWatch} applies them on the culler's passes.
 */
import type { BudgetState } from './budget';
import { formatUnits } from './budget';

/** Percent of a budget used (spent ÷ amount); a budget of 0 counts as fully used. */
export function percentUsed(budget: Pick<BudgetState, 'amount' | 'spent'>): number {
  if (budget.amount <= 0) return 100;
  return (budget.spent / budget.amount) * 100;
}

/**
 * The highest threshold (ascending list) that `percent` has reached and that is above the one the
 * server was already told about (`told`, null for none); null when there is nothing new to say.
 */
export function newThreshold(percent: number, thresholds: readonly number[], told: number | null): number | null {
  let reached: number | null = null;
  for (const threshold of thresholds) if (percent >= threshold) reached = threshold;
  if (reached === null || (told !== null && reached <= told)) return null;
  return reached;
}

/**
 * "Your budget is 82 % used: 41 of 50 CU this month; at 100 % no new server can be started."
 * (`atFull`: what happens at 100 %, without the final full stop).
 */
export function thresholdMessage(budget: Pick<BudgetState, 'kind' | 'name' | 'amount' | 'spent'>, period: string, atFull: string): string {
  const whose = budget.kind === 'user' ? 'Your budget' : `The budget of group ${budget.name}`;
  const percent = Math.floor(percentUsed(budget));
  return `${whose} is ${percent} % used: ${formatUnits(budget.spent)} of ${formatUnits(budget.amount)} CU this ${period}; at 100 % ${atFull}.`;
}

/** What happens at 100 % when the hub takes no action on running servers (`budgets.onExhausted` none). */
export const AT_FULL_NO_ACTION = 'no new server can be started';
