import type { UsageInput, UsageRecord, UsageRepository } from '../store';
import type { SqlParam, SqlRow } from './driver';
import { first, type RepositoryContext } from './sql-helpers';
import { decodeDate, decodeDateOrNull, decodeInt, decodeIntOrNull, decodeString, decodeStringOrNull, encodeDate, encodeDateOrNull } from './values';

const COLUMNS = 'id, user_id, user_name, server_id, server_name, group_name, profile, price_per_hour, started, ended, end_reason';

/** {@link UsageRepository} in SQL (table `usage_sessions`, migration 002). */
export class SqlUsageRepository implements UsageRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async open(input: UsageInput): Promise<UsageRecord> {
    return this.ctx.db.transaction(async (db) => {
      if (input.serverId !== null) {
        await db.run('UPDATE usage_sessions SET ended = ?, end_reason = ? WHERE server_id = ? AND ended IS NULL', [
          encodeDate(input.started),
          'superseded',
          input.serverId,
        ]);
      }
      const rows = await db.query(
        `INSERT INTO usage_sessions (user_id, user_name, server_id, server_name, group_name, profile, price_per_hour, started, ended, end_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        [
          input.userId,
          input.userName,
          input.serverId,
          input.serverName,
          input.groupName,
          input.profile,
          input.pricePerHour,
          encodeDate(input.started),
          encodeDateOrNull(input.ended),
          input.ended ? (input.endReason ?? null) : null,
        ],
      );
      return decodeUsage(first(rows));
    });
  }

  async closeServer(serverId: number, ended: Date, reason: string): Promise<number> {
    const result = await this.ctx.db.run('UPDATE usage_sessions SET ended = ?, end_reason = ? WHERE server_id = ? AND ended IS NULL', [
      encodeDate(ended),
      reason,
      serverId,
    ]);
    return result.changes;
  }

  async closeStale(ended: Date, reason: string): Promise<number> {
    const result = await this.ctx.db.run(
      `UPDATE usage_sessions SET ended = ?, end_reason = ?
       WHERE ended IS NULL AND NOT EXISTS (
         SELECT 1 FROM servers WHERE servers.id = usage_sessions.server_id AND servers.state IN ('pending-start', 'running', 'pending-stop')
       )`,
      [encodeDate(ended), reason],
    );
    return result.changes;
  }

  async list(query: { from: Date; to: Date; userId?: number }): Promise<UsageRecord[]> {
    const params: SqlParam[] = [encodeDate(query.to), encodeDate(query.from)];
    let where = 'started < ? AND (ended IS NULL OR ended > ?)';
    if (query.userId !== undefined) {
      where += ' AND user_id = ?';
      params.push(query.userId);
    }
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM usage_sessions WHERE ${where} ORDER BY started, id`, params);
    return rows.map(decodeUsage);
  }

  async lastOfServer(serverId: number): Promise<UsageRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM usage_sessions WHERE server_id = ? ORDER BY started DESC, id DESC LIMIT 1`, [serverId]);
    return rows.length === 0 ? null : decodeUsage(first(rows));
  }
}

/** Decodes a `usage_sessions` row. */
export function decodeUsage(row: SqlRow): UsageRecord {
  return {
    id: decodeInt(row.id),
    userId: decodeInt(row.user_id),
    userName: decodeString(row.user_name),
    serverId: decodeIntOrNull(row.server_id),
    serverName: decodeString(row.server_name),
    groupName: decodeStringOrNull(row.group_name),
    profile: decodeString(row.profile),
    pricePerHour: decodeNumber(row.price_per_hour),
    started: decodeDate(row.started),
    ended: decodeDateOrNull(row.ended),
    endReason: decodeStringOrNull(row.end_reason),
  };
}

/** Decodes a floating-point column (PostgreSQL may return numeric text). */
function decodeNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new TypeError(`expected a number column, got ${typeof value}`);
  return n;
}
