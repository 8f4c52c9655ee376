/**
 * The decision behind the 100 % action (`budgets.onExhausted`, docs/budgets.md): a running server
 * whose budget is used up is warned, and after the grace period stopped or moved to a cheaper
 * profile; a warning whose budget is no longer used up (a new period, more units) is taken back.
 * Pure; {@link BudgetWatch} applies it on the culler's passes.
 */
import type { ResolvedOnExhausted } from '../config/types';
import type { BudgetState } from './budget';
import { percentUsed } from './budget-thresholds';

/** What to do about a server's used-up budget now. */
export type ExhaustedDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'clear' }
  | { readonly kind: 'warn'; readonly budget: BudgetState; readonly actionAt: number }
  | { readonly kind: 'act'; readonly budget: BudgetState };

/** The fullest used-up budget (spent ≥ amount) of a server, or null. */
export function usedUp(budgets: readonly BudgetState[]): BudgetState | null {
  let fullest: BudgetState | null = null;
  for (const budget of budgets) if (percentUsed(budget) >= 100 && (fullest === null || percentUsed(budget) > percentUsed(fullest))) fullest = budget;
  return fullest;
}

/**
 * Decides from the configured action, the server's budgets, the 100 % warning in force (its
 * `actionAt`, ms; null for none) and the time now (ms).
 */
export function decideExhausted(rule: Pick<ResolvedOnExhausted, 'action' | 'graceSeconds'>, budgets: readonly BudgetState[], pending: { actionAt: number } | null, now: number): ExhaustedDecision {
  const budget = rule.action === 'none' ? null : usedUp(budgets);
  if (budget === null) return pending === null ? { kind: 'none' } : { kind: 'clear' };
  if (pending === null) return { kind: 'warn', budget, actionAt: now + rule.graceSeconds * 1000 };
  return pending.actionAt <= now ? { kind: 'act', budget } : { kind: 'none' };
}
