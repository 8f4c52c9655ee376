import { SchemaTooNewError } from '../store';
import type { SqlDriver } from '../sql/driver';
import { silentStoreLogger, type StoreLogger } from '../sql/store-logger';
import { decodeIntOrNull, encodeDate } from '../sql/values';
import { dialectTypes, type Migration } from './migration';

/** Key of the PostgreSQL advisory lock that serialises hubs migrating the same database. */
const MIGRATION_LOCK_KEY = 4_728_311_906;

/** Options of {@link migrate}. */
export interface MigrateOptions {
  readonly migrations: readonly Migration[];
  readonly now: () => Date;
  readonly logger?: StoreLogger;
}

/**
 * Brings the schema up to the newest migration in one transaction, recording each applied version
 * in `schema_migrations`. Running it again applies nothing. On PostgreSQL an advisory lock makes
 * concurrent hubs take turns.
 *
 * @returns the versions applied now (empty when the schema was current).
 * @throws {SchemaTooNewError} when the database records a version above the newest migration.
 */
export async function migrate(driver: SqlDriver, options: MigrateOptions): Promise<number[]> {
  const codeVersion = checkOrder(options.migrations);
  const types = dialectTypes(driver.dialect);
  const logger = options.logger ?? silentStoreLogger;
  return driver.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at ${types.timestamp} NOT NULL
      )`,
    );
    const rows = await tx.query('SELECT MAX(version) AS version FROM schema_migrations');
    const databaseVersion = decodeIntOrNull(rows[0]?.version) ?? 0;
    if (databaseVersion > codeVersion) throw new SchemaTooNewError(databaseVersion, codeVersion);
    const applied: number[] = [];
    for (const migration of options.migrations) {
      if (migration.version <= databaseVersion) continue;
      for (const statement of migration.statements(types, tx.dialect)) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        migration.version,
        migration.name,
        encodeDate(options.now()),
      ]);
      logger.info({ version: migration.version, migration: migration.name, dialect: tx.dialect }, 'applied database migration');
      applied.push(migration.version);
    }
    return applied;
  });
}

/** Checks versions run 1, 2, 3… and returns the last (0 for none). */
function checkOrder(migrations: readonly Migration[]): number {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration ${migration.name} has version ${migration.version}; expected ${index + 1}`);
    }
  });
  return migrations.length;
}
