import type { TokenKind, TokenRecord, TokenRepository } from '../store';
import type { SqlParam, SqlRow } from './driver';
import { first, type RepositoryContext } from './sql-helpers';
import { decodeDate, decodeDateOrNull, decodeInt, decodeIntOrNull, decodeString, decodeStringArray, decodeStringOrNull, encodeDate, encodeDateOrNull, encodeJson } from './values';

const COLUMNS =
  'id, kind, user_id, service_name, prefix, hash, scopes, note, created, last_activity, expires_at, session_id, oauth_client_id, server_id';

/** Fields `deleteWhere` may match on, and their columns. */
const MATCH_COLUMNS = {
  userId: 'user_id',
  serviceName: 'service_name',
  oauthClientId: 'oauth_client_id',
  sessionId: 'session_id',
  serverId: 'server_id',
  kind: 'kind',
} as const;

type TokenMatch = { userId?: number; serviceName?: string; oauthClientId?: string; sessionId?: string; serverId?: number; kind?: TokenKind };

/** {@link TokenRepository} in SQL. `hash` is unique and indexed: lookups are one index probe. */
export class SqlTokenRepository implements TokenRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: Omit<TokenRecord, 'id' | 'created' | 'lastActivity'> & { created?: Date }): Promise<TokenRecord> {
    const rows = await this.ctx.db.query(
      `INSERT INTO tokens (kind, user_id, service_name, prefix, hash, scopes, note, created, last_activity, expires_at, session_id, oauth_client_id, server_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      [
        input.kind,
        input.userId,
        input.serviceName,
        input.prefix,
        input.hash,
        encodeJson(input.scopes),
        input.note,
        encodeDate(input.created ?? this.ctx.now()),
        encodeDateOrNull(input.expiresAt),
        input.sessionId,
        input.oauthClientId,
        input.serverId,
      ],
    );
    return decodeToken(first(rows));
  }

  async getById(id: number): Promise<TokenRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM tokens WHERE id = ?`, [id]);
    return rows[0] ? decodeToken(rows[0]) : null;
  }

  async findByHash(hash: string): Promise<TokenRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM tokens WHERE hash = ?`, [hash]);
    return rows[0] ? decodeToken(rows[0]) : null;
  }

  /** Sorted by id. */
  async listForUser(userId: number): Promise<TokenRecord[]> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM tokens WHERE user_id = ? ORDER BY id`, [userId]);
    return rows.map(decodeToken);
  }

  /** Sorted by id. */
  async listForService(serviceName: string): Promise<TokenRecord[]> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM tokens WHERE service_name = ? ORDER BY id`, [serviceName]);
    return rows.map(decodeToken);
  }

  async touch(id: number, at: Date): Promise<void> {
    const when = encodeDate(at);
    await this.ctx.db.run('UPDATE tokens SET last_activity = ? WHERE id = ? AND (last_activity IS NULL OR last_activity < ?)', [when, id, when]);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.ctx.db.run('DELETE FROM tokens WHERE id = ?', [id])).changes > 0;
  }

  /** @throws {Error} when `match` names no field (it would delete every token). */
  async deleteWhere(match: TokenMatch): Promise<number> {
    const conditions: string[] = [];
    const params: SqlParam[] = [];
    for (const key of Object.keys(MATCH_COLUMNS) as (keyof TokenMatch)[]) {
      const value = match[key];
      if (value === undefined) continue;
      conditions.push(`${MATCH_COLUMNS[key]} = ?`);
      params.push(value);
    }
    if (conditions.length === 0) throw new Error('tokens.deleteWhere needs at least one field to match');
    return (await this.ctx.db.run(`DELETE FROM tokens WHERE ${conditions.join(' AND ')}`, params)).changes;
  }

  async purgeExpired(now: Date): Promise<number> {
    return (await this.ctx.db.run('DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at < ?', [encodeDate(now)])).changes;
  }
}

const KINDS: Readonly<Record<TokenKind, true>> = { api: true, server: true, oauth: true };

function decodeKind(value: unknown): TokenKind {
  const text = decodeString(value);
  if (Object.hasOwn(KINDS, text)) return text as TokenKind;
  throw new TypeError(`unknown token kind in the database: ${text}`);
}

/** Decodes a `tokens` row. */
export function decodeToken(row: SqlRow): TokenRecord {
  return {
    id: decodeInt(row.id),
    kind: decodeKind(row.kind),
    userId: decodeIntOrNull(row.user_id),
    serviceName: decodeStringOrNull(row.service_name),
    prefix: decodeString(row.prefix),
    hash: decodeString(row.hash),
    scopes: decodeStringArray(row.scopes),
    note: decodeString(row.note),
    created: decodeDate(row.created),
    lastActivity: decodeDateOrNull(row.last_activity),
    expiresAt: decodeDateOrNull(row.expires_at),
    sessionId: decodeStringOrNull(row.session_id),
    oauthClientId: decodeStringOrNull(row.oauth_client_id),
    serverId: decodeIntOrNull(row.server_id),
  };
}
