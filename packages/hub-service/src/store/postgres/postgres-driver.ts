import { AsyncLocalStorage } from 'node:async_hooks';
import { Pool, type PoolClient } from 'pg';
import { StoreConflictError } from '../store';
import type { SqlDriver, SqlParam, SqlRow } from '../sql/driver';
import { toNumberedPlaceholders } from '../sql/placeholders';
import { StatementCache } from '../sql/statement-cache';
import { silentStoreLogger, type StoreLogger } from '../sql/store-logger';
import { PostgresChangeSignal } from './change-signal';

/** PostgreSQL's SQLSTATE for unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Options of {@link openPostgresDriver}. */
export interface PostgresDriverOptions {
  /** `postgres://user:password@host:port/database?…` */
  readonly url: string;
  /** Largest number of pooled connections. */
  readonly maxConnections?: number;
  /** How long to wait for a connection (ms). */
  readonly connectTimeoutMs?: number;
  /** Server- and client-side limit for one statement (ms). */
  readonly statementTimeoutMs?: number;
  readonly logger?: StoreLogger;
  /** How often the change listener's connection is checked (ms; see {@link PostgresChangeSignal}). */
  readonly changeHeartbeatMs?: number;
}

/**
 * Creates a pool for `options.url`. No connection is made until the first query (the change
 * listener's: until its signal is first read). Every connection has a statement timeout and an
 * idle-in-transaction timeout; pool errors on idle connections are logged instead of crashing the
 * process.
 */
export function openPostgresDriver(options: PostgresDriverOptions): PostgresDriver {
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 5_000,
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'clusterhub',
  });
  const logger = options.logger ?? silentStoreLogger;
  pool.on('error', (err) => logger.warn({ err: err.message }, 'idle PostgreSQL connection failed'));
  return new PostgresDriver(pool, (inTransaction) =>
    new PostgresChangeSignal({
      url: options.url,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      heartbeatMs: options.changeHeartbeatMs,
      inTransaction,
      logger,
    }),
  );
}

/** Runs SQL with `?` placeholders on a client or pool, mapping errors. */
type Queryable = Pick<PoolClient, 'query'>;

/** A statement translated for PostgreSQL, and whether it only reads (a plain `SELECT`). */
interface Translated {
  readonly text: string;
  readonly readOnly: boolean;
}

/** Makes the driver's change signal, given a test for "the caller is inside an open transaction". */
export type ChangeSignalFactory = (inTransaction: () => boolean) => PostgresChangeSignal;

/**
 * {@link SqlDriver} on a `pg` pool. Statements outside a transaction go to any pooled connection;
 * a transaction checks one connection out from `BEGIN` to `COMMIT`/`ROLLBACK`. Calls made from
 * inside a transaction's async context (even through the root driver) join that transaction, so
 * they neither see stale data nor wait for a second connection.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  /**
   * This process's writes (moved when a write statement or a transaction has ended) and every
   * other connection's commits (notified by migration 007's triggers): {@link PostgresChangeSignal}.
   */
  readonly changes: PostgresChangeSignal;
  private readonly scope = new AsyncLocalStorage<PostgresTransaction>();
  private readonly translated = new StatementCache<Translated>(512);
  private closed = false;

  /**
   * @param pool the connection pool.
   * @param makeSignal makes the change signal (told how to see that a caller is inside a transaction).
   */
  constructor(
    private readonly pool: Pool,
    makeSignal: ChangeSignalFactory,
  ) {
    this.changes = makeSignal(() => this.scope.getStore()?.isOpen === true);
  }

  /** {@inheritDoc SqlDriver.query} */
  async query(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    const current = this.scope.getStore();
    if (current?.isOpen) return current.query(sql, params);
    this.assertOpen();
    return (await this.executeOnPool(sql, params)).rows;
  }

  /** {@inheritDoc SqlDriver.run} */
  async run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    const current = this.scope.getStore();
    if (current?.isOpen) return current.run(sql, params);
    this.assertOpen();
    return { changes: (await this.executeOnPool(sql, params)).rowCount };
  }

  /** {@inheritDoc SqlDriver.transaction} */
  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (current?.isOpen) return fn(current);
    this.assertOpen();
    const client = await this.pool.connect();
    const tx = new PostgresTransaction(client, (sql) => this.translate(sql).text);
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await this.scope.run(tx, () => fn(tx));
      tx.end();
      // PostgreSQL turns COMMIT of an aborted transaction into a silent ROLLBACK: fail loudly instead.
      if (tx.failure !== null) throw tx.failure;
      await client.query('COMMIT');
      return result;
    } catch (err) {
      tx.end();
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw mapPostgresError(err);
    } finally {
      client.release(broken);
      // Committed or rolled back: either way, what was read inside it must not be kept.
      this.changes.bump();
    }
  }

  /** Ends the pool (waits for checked-out connections to be released) and the change listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.changes.close(), this.pool.end()]);
  }

  /** Runs one statement on its own (autocommit); a write moves the change version once it has ended. */
  private async executeOnPool(sql: string, params: readonly SqlParam[]): Promise<{ rows: SqlRow[]; rowCount: number }> {
    const statement = this.translate(sql);
    if (statement.readOnly) return execute(this.pool, statement.text, params);
    try {
      return await execute(this.pool, statement.text, params);
    } finally {
      this.changes.bump();
    }
  }

  private translate(sql: string): Translated {
    return this.translated.get(sql, (text) => ({ text: toNumberedPlaceholders(text), readOnly: /^\s*SELECT\b/i.test(text) }));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The store is closed');
  }
}

/**
 * The driver handed to a transaction callback: every statement runs on its one client. It records
 * the first failed statement, after which PostgreSQL refuses further statements and the
 * transaction can only roll back.
 */
class PostgresTransaction implements SqlDriver {
  readonly dialect = 'postgres';
  readonly changes = null;
  private open = true;
  private failed: unknown = null;

  constructor(
    private readonly client: PoolClient,
    private readonly translate: (sql: string) => string,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    return (await this.execute(sql, params)).rows;
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    return { changes: (await this.execute(sql, params)).rowCount };
  }

  /** The error of the first failed statement, or null. */
  get failure(): unknown {
    return this.failed;
  }

  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return fn(this);
  }

  close(): Promise<void> {
    return Promise.reject(new Error('Cannot close the store from inside a transaction'));
  }

  /** Marks the transaction finished; later statements on it fail. */
  end(): void {
    this.open = false;
  }

  private async execute(sql: string, params: readonly SqlParam[]): Promise<{ rows: SqlRow[]; rowCount: number }> {
    if (!this.open) throw new Error('The transaction has already finished');
    try {
      return await execute(this.client, this.translate(sql), params);
    } catch (err) {
      this.failed ??= err;
      throw err;
    }
  }
}

async function execute(target: Queryable, sql: string, params: readonly SqlParam[]): Promise<{ rows: SqlRow[]; rowCount: number }> {
  try {
    const result = await target.query<SqlRow>(sql, [...params]);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  } catch (err) {
    throw mapPostgresError(err);
  }
}

/** Maps a unique violation to {@link StoreConflictError}; returns other errors unchanged. */
export function mapPostgresError(err: unknown): unknown {
  if (err instanceof StoreConflictError) return err;
  if (typeof err === 'object' && err !== null && 'code' in err && err.code === UNIQUE_VIOLATION) {
    const message = 'message' in err && typeof err.message === 'string' ? err.message : 'unique violation';
    return new StoreConflictError(message, { cause: err });
  }
  return err;
}
