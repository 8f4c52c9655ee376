import type { OidcSession, OidcSessionRepository } from '../oidc-session-repository';
import type { SqlRow } from './driver';
import type { RepositoryContext } from './sql-helpers';
import { decodeDate, decodeDateOrNull, decodeInt, decodeStringOrNull, encodeDate, encodeDateOrNull } from './values';

const COLUMNS = 'user_id, refresh_token, refreshed, expired, expired_reason';

/** {@link OidcSessionRepository} in SQL (table `oidc_sessions`, migration 006). */
export class SqlOidcSessionRepository implements OidcSessionRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async get(userId: number): Promise<OidcSession | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM oidc_sessions WHERE user_id = ?`, [userId]);
    const row = rows[0];
    return row === undefined ? null : decodeSession(row);
  }

  async save(session: OidcSession): Promise<void> {
    await this.ctx.db.query(
      `INSERT INTO oidc_sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET refresh_token = excluded.refresh_token, refreshed = excluded.refreshed,
         expired = excluded.expired, expired_reason = excluded.expired_reason`,
      [session.userId, session.refreshToken, encodeDate(session.refreshed), encodeDateOrNull(session.expired), session.expiredReason],
    );
  }

  async listDue(before: Date): Promise<OidcSession[]> {
    const rows = await this.ctx.db.query(
      `SELECT ${COLUMNS} FROM oidc_sessions WHERE refresh_token IS NOT NULL AND expired IS NULL AND refreshed < ? ORDER BY refreshed, user_id`,
      [encodeDate(before)],
    );
    return rows.map(decodeSession);
  }
}

function decodeSession(row: SqlRow): OidcSession {
  return {
    userId: decodeInt(row.user_id),
    refreshToken: decodeStringOrNull(row.refresh_token),
    refreshed: decodeDate(row.refreshed),
    expired: decodeDateOrNull(row.expired),
    expiredReason: decodeStringOrNull(row.expired_reason),
  };
}
