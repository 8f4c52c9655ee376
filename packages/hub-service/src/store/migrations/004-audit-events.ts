import type { DialectTypes, Migration } from './migration';

/**
 * The audit log (docs/audit.md): one row per event (logins, server starts and stops, admin
 * actions). Rows name the actor and the target user and server as they were called then, without
 * foreign keys, so history outlives deleted or renamed users; retention prunes by `at`.
 */
export const migration004AuditEvents: Migration = {
  version: 4,
  name: 'audit-events',
  statements: (t: DialectTypes) => [
    `CREATE TABLE audit_events (
      id ${t.id},
      at ${t.timestamp} NOT NULL,
      actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'service', 'system', 'anonymous')),
      actor_name ${t.name},
      action TEXT NOT NULL,
      target_user ${t.name},
      target_server ${t.name},
      address TEXT,
      details ${t.json} NOT NULL
    )`,
    'CREATE INDEX audit_events_at ON audit_events (at)',
    'CREATE INDEX audit_events_target_user ON audit_events (target_user, at)',
    'CREATE INDEX audit_events_actor ON audit_events (actor_name, at)',
  ],
};
