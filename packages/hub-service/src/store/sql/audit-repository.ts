import type { AuditActorKind, AuditInput, AuditQuery, AuditRecord, AuditRepository } from '../audit-repository';
import type { SqlParam, SqlRow } from './driver';
import { escapeLike, first, type RepositoryContext } from './sql-helpers';
import { decodeDate, decodeInt, decodeJsonObject, decodeString, decodeStringOrNull, encodeDate, encodeJson } from './values';

const COLUMNS = 'id, at, actor_kind, actor_name, action, target_user, target_server, address, details';

const ACTOR_KINDS: readonly AuditActorKind[] = ['user', 'service', 'system', 'anonymous'];

function isActorKind(value: string): value is AuditActorKind {
  return (ACTOR_KINDS as readonly string[]).includes(value);
}

/** {@link AuditRepository} in SQL (table `audit_events`, migration 004). */
export class SqlAuditRepository implements AuditRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async record(input: AuditInput): Promise<AuditRecord> {
    const rows = await this.ctx.db.query(
      `INSERT INTO audit_events (at, actor_kind, actor_name, action, target_user, target_server, address, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      [encodeDate(input.at), input.actorKind, input.actorName, input.action, input.targetUser, input.targetServer, input.address, encodeJson(input.details)],
    );
    return decodeAudit(first(rows));
  }

  async list(query: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    const conditions: string[] = [];
    const params: SqlParam[] = [];
    if (query.user !== undefined) {
      conditions.push("(target_user = ? OR (actor_kind = 'user' AND actor_name = ?))");
      params.push(query.user, query.user);
    }
    if (query.action !== undefined) {
      conditions.push("(action = ? OR action LIKE ? ESCAPE '\\')");
      params.push(query.action, `${escapeLike(query.action)}.%`);
    }
    if (query.since !== undefined) {
      conditions.push('at >= ?');
      params.push(encodeDate(query.since));
    }
    if (query.until !== undefined) {
      conditions.push('at < ?');
      params.push(encodeDate(query.until));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const counted = await this.ctx.db.query(`SELECT COUNT(*) AS n FROM audit_events ${where}`, params);
    const total = decodeInt(first(counted).n);
    if (total === 0 || query.limit <= 0 || query.offset >= total) return { items: [], total };
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM audit_events ${where} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`, [
      ...params,
      query.limit,
      query.offset,
    ]);
    return { items: rows.map(decodeAudit), total };
  }

  async pruneBefore(before: Date): Promise<number> {
    const result = await this.ctx.db.run('DELETE FROM audit_events WHERE at < ?', [encodeDate(before)]);
    return result.changes;
  }
}

/** Decodes an `audit_events` row. */
export function decodeAudit(row: SqlRow): AuditRecord {
  const kind = decodeString(row.actor_kind);
  if (!isActorKind(kind)) throw new TypeError(`unknown audit actor kind ${JSON.stringify(kind)}`);
  return {
    id: decodeInt(row.id),
    at: decodeDate(row.at),
    actorKind: kind,
    actorName: decodeStringOrNull(row.actor_name),
    action: decodeString(row.action),
    targetUser: decodeStringOrNull(row.target_user),
    targetServer: decodeStringOrNull(row.target_server),
    address: decodeStringOrNull(row.address),
    details: decodeJsonObject(row.details),
  };
}
