import { AsyncLocalStorage } from 'node:async_hooks';
import { Pool, type PoolClient } from 'pg';
import { StoreConflictError } from '../store';
import type { SqlDriver, SqlParam, SqlRow } from '../sql/driver';
import { toNumberedPlaceholders } from '../sql/placeholders';
import { StatementCache } from '../sql/statement-cache';
import { silentStoreLogger, type StoreLogger } from '../sql/store-logger';

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
}

/**
 * Creates a pool for `options.url`. No connection is made until the first query. Every connection
 * has a statement timeout and an idle-in-transaction timeout; pool errors on idle connections are
 * logged instead of crashing the process.
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
  return new PostgresDriver(pool);
}

/** Runs SQL with `?` placeholders on a client or pool, mapping errors. */
type Queryable = Pick<PoolClient, 'query'>;

/**
 * {@link SqlDriver} on a `pg` pool. Statements outside a transaction go to any pooled connection;
 * a transaction checks one connection out from `BEGIN` to `COMMIT`/`ROLLBACK`. Calls made from
 * inside a transaction's async context (even through the root driver) join that transaction, so
 * they neither see stale data nor wait for a second connection.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  /** None: other hub processes and the CLI write through their own connections, unseen (a counter row could signal them). */
  readonly changes = null;
  private readonly scope = new AsyncLocalStorage<PostgresTransaction>();
  private readonly translated = new StatementCache<string>(512);
  private closed = false;

  constructor(private readonly pool: Pool) {}

  /** {@inheritDoc SqlDriver.query} */
  async query(sql: string, params: readonly SqlParam[] = []): Promise<SqlRow[]> {
    const current = this.scope.getStore();
    if (current?.isOpen) return current.query(sql, params);
    this.assertOpen();
    return execute(this.pool, this.translate(sql), params).then((r) => r.rows);
  }

  /** {@inheritDoc SqlDriver.run} */
  async run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    const current = this.scope.getStore();
    if (current?.isOpen) return current.run(sql, params);
    this.assertOpen();
    return execute(this.pool, this.translate(sql), params).then((r) => ({ changes: r.rowCount }));
  }

  /** {@inheritDoc SqlDriver.transaction} */
  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const current = this.scope.getStore();
    if (current?.isOpen) return fn(current);
    this.assertOpen();
    const client = await this.pool.connect();
    const tx = new PostgresTransaction(client, (sql) => this.translate(sql));
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
    }
  }

  /** Ends the pool (waits for checked-out connections to be released). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private translate(sql: string): string {
    return this.translated.get(sql, toNumberedPlaceholders);
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
