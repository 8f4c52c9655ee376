import type { StoreChangeSignal } from '../store';

/** SQL dialects the store speaks. */
export type SqlDialect = 'sqlite' | 'postgres';

/** A bound parameter. Dates are passed as ISO-8601 strings (see `sql/values.ts`); booleans are mapped per dialect. */
export type SqlParam = string | number | boolean | null;

/** A result row as the driver returns it (column name → raw value). Decode with `sql/values.ts`. */
export type SqlRow = Readonly<Record<string, unknown>>;

/**
 * The small seam between the repositories and a database: SQL is written once, with `?`
 * placeholders, in the common subset of SQLite and PostgreSQL; each driver executes it.
 *
 * Drivers must:
 * - translate placeholders as their database needs (`$1…` for PostgreSQL);
 * - throw `StoreConflictError` for unique-constraint violations, and rethrow other errors;
 * - run every statement of a {@link SqlDriver.transaction} callback on one connection, atomically.
 */
export interface SqlDriver {
  readonly dialect: SqlDialect;
  /** The store's change signal ({@link StoreChangeSignal}); null when the database offers no cheap one, and on transactions. */
  readonly changes: StoreChangeSignal | null;
  /** Runs a statement and returns its rows (`[]` for statements without a result set). */
  query(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
  /**
   * Runs `fn` in one transaction: commits when its promise resolves, rolls back when it rejects
   * (and rethrows). A call on a driver that is already a transaction, or from inside the callback's
   * async context, joins the running transaction instead of starting a new one.
   */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /** Closes the connection(s); queued work fails afterwards. */
  close(): Promise<void>;
}
