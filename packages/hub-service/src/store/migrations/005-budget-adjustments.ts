import type { DialectTypes, Migration } from './migration';

/**
 * Admin changes to budgets for one period (docs/budgets.md): units topped up and a limit that
 * overrides the configured one, per user or group budget and period start. No foreign keys: a
 * budget is named as the config names it, whether or not the user or group exists.
 */
export const migration005BudgetAdjustments: Migration = {
  version: 5,
  name: 'budget-adjustments',
  statements: (t: DialectTypes) => [
    `CREATE TABLE budget_adjustments (
      id ${t.id},
      scope TEXT NOT NULL CHECK (scope IN ('user', 'group')),
      name ${t.name} NOT NULL,
      period_start ${t.timestamp} NOT NULL,
      top_up DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (top_up >= 0),
      limit_override DOUBLE PRECISION CHECK (limit_override >= 0),
      updated ${t.timestamp} NOT NULL,
      UNIQUE (scope, name, period_start)
    )`,
  ],
};
