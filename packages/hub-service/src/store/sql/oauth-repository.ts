import type { OAuthClientRecord, OAuthCodeRecord, OAuthRepository } from '../store';
import type { SqlRow } from './driver';
import type { RepositoryContext } from './sql-helpers';
import { decodeDate, decodeInt, decodeIntOrNull, decodeString, decodeStringArray, decodeStringOrNull, encodeDate, encodeJson } from './values';

const CLIENT_COLUMNS = 'id, secret_hash, redirect_uri, description, allowed_scopes, server_id';
const CODE_COLUMNS = 'code_hash, client_id, user_id, scopes, redirect_uri, session_id, code_challenge, code_challenge_method, expires_at';

/** {@link OAuthRepository} in SQL. Codes go with their client and with their user. */
export class SqlOAuthRepository implements OAuthRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async upsertClient(client: OAuthClientRecord): Promise<void> {
    await this.ctx.db.run(
      `INSERT INTO oauth_clients (${CLIENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, redirect_uri = excluded.redirect_uri,
         description = excluded.description, allowed_scopes = excluded.allowed_scopes, server_id = excluded.server_id`,
      [client.id, client.secretHash, client.redirectUri, client.description, encodeJson(client.allowedScopes), client.serverId],
    );
  }

  async getClient(id: string): Promise<OAuthClientRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${CLIENT_COLUMNS} FROM oauth_clients WHERE id = ?`, [id]);
    return rows[0] ? decodeClient(rows[0]) : null;
  }

  async deleteClient(id: string): Promise<boolean> {
    return (await this.ctx.db.run('DELETE FROM oauth_clients WHERE id = ?', [id])).changes > 0;
  }

  async createCode(code: OAuthCodeRecord): Promise<void> {
    await this.ctx.db.run(`INSERT INTO oauth_codes (${CODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      code.codeHash,
      code.clientId,
      code.userId,
      encodeJson(code.scopes),
      code.redirectUri,
      code.sessionId,
      code.codeChallenge,
      code.codeChallengeMethod,
      encodeDate(code.expiresAt),
    ]);
  }

  async consumeCode(codeHash: string): Promise<OAuthCodeRecord | null> {
    const rows = await this.ctx.db.query(`DELETE FROM oauth_codes WHERE code_hash = ? RETURNING ${CODE_COLUMNS}`, [codeHash]);
    return rows[0] ? decodeCode(rows[0]) : null;
  }

  async purgeExpiredCodes(now: Date): Promise<number> {
    return (await this.ctx.db.run('DELETE FROM oauth_codes WHERE expires_at < ?', [encodeDate(now)])).changes;
  }
}

/** Decodes an `oauth_clients` row. */
export function decodeClient(row: SqlRow): OAuthClientRecord {
  return {
    id: decodeString(row.id),
    secretHash: decodeString(row.secret_hash),
    redirectUri: decodeString(row.redirect_uri),
    description: decodeString(row.description),
    allowedScopes: decodeStringArray(row.allowed_scopes),
    serverId: decodeIntOrNull(row.server_id),
  };
}

/** Decodes an `oauth_codes` row. */
export function decodeCode(row: SqlRow): OAuthCodeRecord {
  return {
    codeHash: decodeString(row.code_hash),
    clientId: decodeString(row.client_id),
    userId: decodeInt(row.user_id),
    scopes: decodeStringArray(row.scopes),
    redirectUri: decodeString(row.redirect_uri),
    sessionId: decodeStringOrNull(row.session_id),
    codeChallenge: decodeStringOrNull(row.code_challenge),
    codeChallengeMethod: decodeStringOrNull(row.code_challenge_method),
    expiresAt: decodeDate(row.expires_at),
  };
}
