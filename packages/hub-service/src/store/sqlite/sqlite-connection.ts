import type BetterSqlite3 from 'better-sqlite3';
import { StoreConflictError } from '../store';
import type { SqlParam, SqlRow } from '../sql/driver';
import { StatementCache } from '../sql/statement-cache';

/** Error codes better-sqlite3 reports for uniqueness violations. */
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/**
 * Synchronous statement execution on one better-sqlite3 connection, with a prepared-statement
 * cache and error mapping. Callers (the driver and its transactions) decide when it may run.
 * It also keeps the store's change version ({@link SqliteConnection.changeVersion}).
 */
export class SqliteConnection {
  private readonly statements = new StatementCache<BetterSqlite3.Statement>(256);
  /** `PRAGMA data_version`: changes when another connection (another process) commits. */
  private readonly dataVersion: BetterSqlite3.Statement;
  private seenDataVersion: unknown = null;
  private version = 0;

  constructor(readonly db: BetterSqlite3.Database) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /**
   * Grows after every write statement and transaction control statement run on this connection
   * (counted as they run, so before their commit; readers wait for a running transaction anyway)
   * and whenever another connection has committed since the last call (`PRAGMA data_version`).
   */
  changeVersion(): number {
    const seen: unknown = this.dataVersion.get();
    if (seen !== this.seenDataVersion) {
      this.seenDataVersion = seen;
      this.version += 1;
    }
    return this.version;
  }

  /** Moves the change version on without reading anything (the driver's signal does so while a transaction is open). */
  bumpChangeVersion(): number {
    this.version += 1;
    return this.version;
  }

  /** Runs a statement and returns its rows (`[]` when it returns none). */
  all(sql: string, params: readonly SqlParam[]): SqlRow[] {
    return this.guard(() => {
      const statement = this.prepare(sql);
      const bound = bind(params);
      if (!statement.readonly) this.version += 1;
      if (statement.reader) return statement.all(...bound) as SqlRow[];
      statement.run(...bound);
      return [];
    });
  }

  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params: readonly SqlParam[]): { changes: number } {
    return this.guard(() => {
      const statement = this.prepare(sql);
      const bound = bind(params);
      if (!statement.readonly) this.version += 1;
      if (statement.reader) {
        const rows = statement.all(...bound);
        return { changes: rows.length };
      }
      return { changes: statement.run(...bound).changes };
    });
  }

  /** Runs SQL without parameters (transaction control). */
  exec(sql: string): void {
    this.version += 1;
    this.db.exec(sql);
  }

  /** True while a transaction is open on the connection. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** Closes the connection. */
  close(): void {
    this.statements.clear();
    this.db.close();
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    return this.statements.get(sql, (text) => this.db.prepare(text));
  }

  private guard<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }
}

/**
 * Maps a uniqueness violation to {@link StoreConflictError}; returns other errors unchanged.
 * Checks the shape, not `instanceof`: the native module may build its errors in another realm.
 */
export function mapSqliteError(err: unknown): unknown {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && UNIQUE_CODES.has(err.code)) {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : err.code;
    return new StoreConflictError(message, { cause: err });
  }
  return err;
}

function bind(params: readonly SqlParam[]): (string | number | null)[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
