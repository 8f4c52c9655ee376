/** Whose budget: a user's own or a group's. */
export type BudgetScope = 'user' | 'group';

/** Admin changes to one budget for one period (table `budget_adjustments`, migration 005). */
export interface BudgetAdjustment {
  readonly scope: BudgetScope;
  readonly name: string;
  /** Start of the period the change is for. */
  readonly periodStart: Date;
  /** Units added to the period's amount (0 for none). */
  readonly topUp: number;
  /** The period's amount instead of the configured one; null for none. */
  readonly limit: number | null;
  readonly updated: Date;
}

/** Where a budget is named: scope, name and period start. */
export interface BudgetKey {
  readonly scope: BudgetScope;
  readonly name: string;
  readonly periodStart: Date;
}

/** Persistence of {@link BudgetAdjustment}s: one row per budget and period, written atomically. */
export interface BudgetAdjustmentRepository {
  /** The changes to a budget in a period, or null. */
  get(key: BudgetKey): Promise<BudgetAdjustment | null>;
  /** Every budget's changes in the period that starts at `periodStart`, by scope then name. */
  listPeriod(periodStart: Date): Promise<BudgetAdjustment[]>;
  /** Adds `units` to the period's top-up (creating the row); the row after. */
  addTopUp(key: BudgetKey, units: number, at: Date): Promise<BudgetAdjustment>;
  /** Sets (a number) or removes (null) the period's limit override; the row after. */
  setLimit(key: BudgetKey, limit: number | null, at: Date): Promise<BudgetAdjustment>;
}
