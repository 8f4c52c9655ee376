import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlParam, SqlRow } from '../sql/driver';
import type { StoreChangeSignal } from '../store';
import { AsyncMutex } from '../sql/async-mutex';
import { SqliteConnection } from './sqlite-connection';

/** Options of {@link openSqliteDriver}. */
export interface SqliteDriverOptions {
  /** Database file, or `:memory:` for a private in-memory database. */
  readonly path: string;
  /** How long a statement waits for another process's write lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens a SQLite database with the settings the store relies on: foreign keys enforced, and for
 * files WAL journaling with `synchronous=NORMAL` (readers never block the writer). Creates the
 * file's folder (mode 0700) when missing.
 */
export function openSqliteDriver(options: SqliteDriverOptions): SqliteDriver {
  const memory = options.path === ':memory:' || options.path === '';
  if (!memory) mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
  const db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('foreign_keys = ON');
    if (!memory) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteDriver(new SqliteConnection(db));
}

/**
 * {@link SqlDriver} on one better-sqlite3 connection. Statements run synchronously; a transaction
 * holds an async mutex from `BEGIN` to `COMMIT`/`ROLLBACK`, so statements of other async callers
 * wait instead of landing inside it. Calls made from inside a transaction's async context (even
 * through the root driver) join that transaction rather than deadlocking on the mutex.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  /** Writes of this connection and commits of other connections (other processes) to the same file. */
  readonly changes: StoreChangeSignal;
  private readonly lock = new AsyncMutex();
  private readonly scope = new AsyncLocalStorage<SqliteTransaction>();
  private closed = false;

  constructor(private readonly conn: SqliteConnection) {
    // While a transaction is open its writes are not committed yet (and may roll back): every look
    // then gets a new number, so nothing read meanwhile is cached, even from inside the transaction.
    this.changes = { version: () => (this.lock.locked ? conn.bumpChangeVersion() : conn.changeVersion()) };
  }

  /** {@inheritDoc SqlDriver.query} */
  query(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    return this.execute((conn) => conn.all(sql, params));
  }

  /** {@inheritDoc SqlDriver.run} */
  run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    return this.execute((conn) => conn.run(sql, params));
  }

  /** {@inheritDoc SqlDriver.transaction} */
  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (current?.isOpen) return fn(current);
    this.assertOpen();
    const release = await this.lock.acquire();
    const tx = new SqliteTransaction(this.conn);
    try {
      this.assertOpen();
      this.conn.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await this.scope.run(tx, () => fn(tx));
        tx.end();
        if (tx.failure !== null) throw tx.failure;
        this.conn.exec('COMMIT');
      } catch (err) {
        tx.end();
        if (this.conn.inTransaction) this.conn.exec('ROLLBACK');
        throw err;
      }
      return result;
    } finally {
      release();
    }
  }

  /** Waits for a running transaction to finish, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    const release = await this.lock.acquire();
    try {
      if (!this.closed) {
        this.closed = true;
        this.conn.close();
      }
    } finally {
      release();
    }
  }

  private async execute<T>(op: (conn: SqliteConnection) => T): Promise<T> {
    const current = this.scope.getStore();
    if (current?.isOpen) return current.execute(op);
    if (!this.lock.locked) {
      this.assertOpen();
      return op(this.conn);
    }
    const release = await this.lock.acquire();
    try {
      this.assertOpen();
      return op(this.conn);
    } finally {
      release();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The store is closed');
  }
}

/**
 * The driver handed to a transaction callback. Like PostgreSQL, a failed statement spoils the
 * transaction: later statements fail, and the transaction rolls back and rejects with that
 * statement's error even if the callback caught it, so code behaves the same on both dialects.
 */
class SqliteTransaction implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly changes = null;
  private open = true;
  private failed: unknown = null;

  constructor(private readonly conn: SqliteConnection) {}

  get isOpen(): boolean {
    return this.open;
  }

  query(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    return this.execute((conn) => conn.all(sql, params));
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    return this.execute((conn) => conn.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return fn(this);
  }

  close(): Promise<void> {
    return Promise.reject(new Error('Cannot close the store from inside a transaction'));
  }

  /** The error of the first failed statement, or null. The transaction cannot commit after one. */
  get failure(): unknown {
    return this.failed;
  }

  /** Marks the transaction finished; later statements on it fail. */
  end(): void {
    this.open = false;
  }

  /** Runs `op` on the connection, tracking failure. */
  async execute<T>(op: (conn: SqliteConnection) => T): Promise<T> {
    if (!this.open) throw new Error('The transaction has already finished');
    if (this.failed !== null) {
      throw new Error('The transaction was aborted by an earlier failed statement', { cause: this.failed });
    }
    try {
      return op(this.conn);
    } catch (err) {
      this.failed = err;
      throw err;
    }
  }
}
