import type { DialectTypes, Migration } from './migration';

/**
 * What the hub keeps of a user's sign-in at the OpenID provider for the periodic group refresh
 * (`auth.oidc.refreshGroupsSeconds`, docs/login.md): the refresh token (null when the provider
 * gave none or it stopped working), when the groups were last read, and when a refresh failed
 * for good (the user must sign in again before a new start). One row per user, gone with the user.
 * The token is a secret: no API returns this table and nothing logs it.
 */
export const migration006OidcSessions: Migration = {
  version: 6,
  name: 'oidc-sessions',
  statements: (t: DialectTypes) => [
    `CREATE TABLE oidc_sessions (
      user_id ${t.ref} PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      refresh_token TEXT,
      refreshed ${t.timestamp} NOT NULL,
      expired ${t.timestamp},
      expired_reason TEXT
    )`,
    'CREATE INDEX oidc_sessions_refreshed ON oidc_sessions (refreshed)',
  ],
};
