import type { SqlDialect } from '../sql/driver';
import type { Migration } from './migration';

/** The channel the triggers notify (the listener in `store/postgres/change-signal.ts` subscribes to it). */
export const CHANGE_CHANNEL = 'clusterhub_changes';

/** The trigger function (PostgreSQL) that notifies {@link CHANGE_CHANNEL} with the table's name. */
const NOTIFY_FUNCTION = 'clusterhub_notify_change';

/**
 * The statement that makes PostgreSQL notify `clusterhub_changes` after every write statement on
 * `table` (the change signal of `store/postgres/change-signal.ts` listens). A migration that
 * creates a table on PostgreSQL adds this for it; `test/store-postgres.test.ts` checks that every
 * table has it. Empty on SQLite, whose change signal needs nothing in the schema.
 */
export function changeNotifyTrigger(table: string, dialect: SqlDialect): readonly string[] {
  if (dialect !== 'postgres') return [];
  return [
    `CREATE TRIGGER ${NOTIFY_FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} ` +
      `FOR EACH STATEMENT EXECUTE FUNCTION ${NOTIFY_FUNCTION}()`,
  ];
}

/**
 * PostgreSQL only: statement-level triggers on every table but `schema_migrations` that send
 * `NOTIFY clusterhub_changes, '<table>'`. PostgreSQL delivers a notification to the listening
 * connections after the writing transaction commits (never for one that rolls back), at most once
 * per table and transaction, whoever wrote (another hub, the `clusterhub` CLI, psql). The tables
 * are read from the catalogue when the migration runs, so it covers every table made before it.
 */
export const migration007ChangeNotify: Migration = {
  version: 7,
  name: 'change-notify',
  statements: (_types, dialect) =>
    dialect !== 'postgres'
      ? []
      : [
          `CREATE FUNCTION ${NOTIFY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
          BEGIN
            PERFORM pg_notify('${CHANGE_CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
          END
          $body$`,
          `DO $body$
          DECLARE
            t record;
          BEGIN
            FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' LOOP
              EXECUTE format(
                'CREATE TRIGGER ${NOTIFY_FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION ${NOTIFY_FUNCTION}()',
                t.tablename);
            END LOOP;
          END
          $body$`,
        ],
};
