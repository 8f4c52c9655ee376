import type { DialectTypes, Migration } from './migration';

/** The initial schema: users, groups, servers, tokens, OAuth clients and codes, local accounts. */
export const migration001Initial: Migration = {
  version: 1,
  name: 'initial',
  statements: (t: DialectTypes) => [
    `CREATE TABLE users (
      id ${t.id},
      name ${t.name} NOT NULL UNIQUE,
      admin ${t.bool} NOT NULL,
      created ${t.timestamp} NOT NULL,
      last_activity ${t.timestamp},
      user_info ${t.json} NOT NULL
    )`,
    `CREATE TABLE groups (
      id ${t.id},
      name ${t.name} NOT NULL UNIQUE,
      properties ${t.json} NOT NULL
    )`,
    `CREATE TABLE group_members (
      group_id ${t.ref} NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
      user_id ${t.ref} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      PRIMARY KEY (group_id, user_id)
    )`,
    'CREATE INDEX group_members_user ON group_members (user_id)',
    `CREATE TABLE servers (
      id ${t.id},
      user_id ${t.ref} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name ${t.name} NOT NULL,
      display_name TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('stopped', 'pending-start', 'running', 'pending-stop', 'failed')),
      profile TEXT,
      user_options ${t.json} NOT NULL,
      spawner_kind TEXT,
      handle ${t.json},
      target TEXT,
      started ${t.timestamp},
      last_activity ${t.timestamp},
      stop_reason TEXT,
      message TEXT,
      created ${t.timestamp} NOT NULL,
      UNIQUE (user_id, name)
    )`,
    'CREATE INDEX servers_state ON servers (state)',
    `CREATE TABLE tokens (
      id ${t.id},
      kind TEXT NOT NULL CHECK (kind IN ('api', 'server', 'oauth')),
      user_id ${t.ref} REFERENCES users (id) ON DELETE CASCADE,
      service_name TEXT,
      prefix TEXT NOT NULL,
      hash TEXT NOT NULL,
      scopes ${t.json} NOT NULL,
      note TEXT NOT NULL,
      created ${t.timestamp} NOT NULL,
      last_activity ${t.timestamp},
      expires_at ${t.timestamp},
      session_id TEXT,
      oauth_client_id TEXT,
      server_id ${t.ref} REFERENCES servers (id) ON DELETE CASCADE,
      CHECK ((user_id IS NULL AND service_name IS NOT NULL) OR (user_id IS NOT NULL AND service_name IS NULL))
    )`,
    'CREATE UNIQUE INDEX tokens_hash ON tokens (hash)',
    'CREATE INDEX tokens_user ON tokens (user_id)',
    'CREATE INDEX tokens_service ON tokens (service_name)',
    'CREATE INDEX tokens_session ON tokens (session_id)',
    'CREATE INDEX tokens_server ON tokens (server_id)',
    'CREATE INDEX tokens_oauth_client ON tokens (oauth_client_id)',
    'CREATE INDEX tokens_expires ON tokens (expires_at)',
    `CREATE TABLE oauth_clients (
      id TEXT PRIMARY KEY,
      secret_hash TEXT NOT NULL,
      redirect_uri TEXT NOT NULL,
      description TEXT NOT NULL,
      allowed_scopes ${t.json} NOT NULL,
      server_id ${t.ref} REFERENCES servers (id) ON DELETE SET NULL
    )`,
    'CREATE INDEX oauth_clients_server ON oauth_clients (server_id)',
    `CREATE TABLE oauth_codes (
      code_hash TEXT PRIMARY KEY,
      client_id TEXT NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
      user_id ${t.ref} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      scopes ${t.json} NOT NULL,
      redirect_uri TEXT NOT NULL,
      session_id TEXT,
      code_challenge TEXT,
      code_challenge_method TEXT,
      expires_at ${t.timestamp} NOT NULL
    )`,
    'CREATE INDEX oauth_codes_client ON oauth_codes (client_id)',
    'CREATE INDEX oauth_codes_user ON oauth_codes (user_id)',
    'CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at)',
    `CREATE TABLE local_accounts (
      user_name ${t.name} PRIMARY KEY,
      password_hash TEXT NOT NULL,
      updated ${t.timestamp} NOT NULL
    )`,
  ],
};
