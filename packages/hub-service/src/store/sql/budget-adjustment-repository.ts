import type { BudgetAdjustment, BudgetAdjustmentRepository, BudgetKey } from '../budget-adjustment-repository';
import type { SqlRow } from './driver';
import { first, type RepositoryContext } from './sql-helpers';
import { decodeDate, decodeString, encodeDate } from './values';

const COLUMNS = 'scope, name, period_start, top_up, limit_override, updated';

/** {@link BudgetAdjustmentRepository} in SQL (table `budget_adjustments`, migration 005). */
export class SqlBudgetAdjustmentRepository implements BudgetAdjustmentRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async get(key: BudgetKey): Promise<BudgetAdjustment | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM budget_adjustments WHERE scope = ? AND name = ? AND period_start = ?`, [key.scope, key.name, encodeDate(key.periodStart)]);
    const row = rows[0];
    return row === undefined ? null : decodeAdjustment(row);
  }

  async listPeriod(periodStart: Date): Promise<BudgetAdjustment[]> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM budget_adjustments WHERE period_start = ? ORDER BY scope, name`, [encodeDate(periodStart)]);
    return rows.map(decodeAdjustment);
  }

  async addTopUp(key: BudgetKey, units: number, at: Date): Promise<BudgetAdjustment> {
    const rows = await this.ctx.db.query(
      `INSERT INTO budget_adjustments (scope, name, period_start, top_up, limit_override, updated) VALUES (?, ?, ?, ?, NULL, ?)
       ON CONFLICT (scope, name, period_start) DO UPDATE SET top_up = budget_adjustments.top_up + excluded.top_up, updated = excluded.updated
       RETURNING ${COLUMNS}`,
      [key.scope, key.name, encodeDate(key.periodStart), units, encodeDate(at)],
    );
    return decodeAdjustment(first(rows));
  }

  async setLimit(key: BudgetKey, limit: number | null, at: Date): Promise<BudgetAdjustment> {
    const rows = await this.ctx.db.query(
      `INSERT INTO budget_adjustments (scope, name, period_start, top_up, limit_override, updated) VALUES (?, ?, ?, 0, ?, ?)
       ON CONFLICT (scope, name, period_start) DO UPDATE SET limit_override = excluded.limit_override, updated = excluded.updated
       RETURNING ${COLUMNS}`,
      [key.scope, key.name, encodeDate(key.periodStart), limit, encodeDate(at)],
    );
    return decodeAdjustment(first(rows));
  }
}

function decodeAdjustment(row: SqlRow): BudgetAdjustment {
  const scope = decodeString(row.scope);
  if (scope !== 'user' && scope !== 'group') throw new Error(`budget_adjustments: unknown scope ${scope}`);
  return {
    scope,
    name: decodeString(row.name),
    periodStart: decodeDate(row.period_start),
    topUp: decodeNumber(row.top_up),
    limit: row.limit_override === null || row.limit_override === undefined ? null : decodeNumber(row.limit_override),
    updated: decodeDate(row.updated),
  };
}

function decodeNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new Error(`budget_adjustments: not a number: ${String(value)}`);
  return n;
}
