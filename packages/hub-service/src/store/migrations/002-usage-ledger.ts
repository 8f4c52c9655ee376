import type { DialectTypes, Migration } from './migration';

/**
 * The compute-unit ledger (docs/budgets.md): one row per server session with the price it runs
 * at, its start and its end (null while it runs). Rows keep the user's and server's ids and names
 * without foreign keys, so history outlives deleted users and servers.
 */
export const migration002UsageLedger: Migration = {
  version: 2,
  name: 'usage-ledger',
  statements: (t: DialectTypes) => [
    `CREATE TABLE usage_sessions (
      id ${t.id},
      user_id ${t.ref} NOT NULL,
      user_name ${t.name} NOT NULL,
      server_id ${t.ref},
      server_name ${t.name} NOT NULL,
      group_name ${t.name},
      profile TEXT NOT NULL,
      price_per_hour DOUBLE PRECISION NOT NULL CHECK (price_per_hour >= 0),
      started ${t.timestamp} NOT NULL,
      ended ${t.timestamp},
      end_reason TEXT
    )`,
    'CREATE INDEX usage_sessions_started ON usage_sessions (started)',
    'CREATE INDEX usage_sessions_user ON usage_sessions (user_id, started)',
    'CREATE INDEX usage_sessions_server_open ON usage_sessions (server_id, ended)',
  ],
};
