import { MIGRATIONS } from './migrations';
import { migrate } from './migrations/migrate';
import { openPostgresDriver } from './postgres/postgres-driver';
import type { SqlDriver } from './sql/driver';
import { SqlStore } from './sql/sql-store';
import type { StoreLogger } from './sql/store-logger';
import { openSqliteDriver } from './sqlite/sqlite-driver';
import type { Store, StoreOptions } from './store';

export type { StoreLogger } from './sql/store-logger';

/** Injected collaborators of {@link openStore}. */
export interface OpenStoreDependencies {
  /** Receives migration and connection messages (a pino logger fits). */
  readonly logger?: StoreLogger;
  /** Clock for default timestamps (`created`, `updated`); defaults to the system clock. */
  readonly now?: () => Date;
}

/**
 * Opens the configured store and brings its schema up to date. The only place that knows both
 * adapters: SQLite (a file in WAL mode, or `:memory:`) and PostgreSQL (a connection pool).
 *
 * @throws {SchemaTooNewError} when the database was migrated by a newer clusterhub.
 * @throws the driver's error when the database cannot be opened or reached (the store is closed).
 */
export async function openStore(options: StoreOptions, deps: OpenStoreDependencies = {}): Promise<Store> {
  const now = deps.now ?? (() => new Date());
  const driver: SqlDriver =
    options.kind === 'sqlite' ? openSqliteDriver({ path: options.path }) : openPostgresDriver({ url: options.url, logger: deps.logger });
  try {
    await migrate(driver, { migrations: MIGRATIONS, now, logger: deps.logger });
  } catch (err) {
    await driver.close();
    throw err;
  }
  return new SqlStore({ driver, now });
}
