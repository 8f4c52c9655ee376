import type { UserRecord, UserRepository, UserSort, UserStateFilter } from '../store';
import type { SqlParam, SqlRow } from './driver';
import { chunks, escapeLike, first, IN_LIST_CHUNK, placeholders, unique, type RepositoryContext } from './sql-helpers';
import { decodeBool, decodeDate, decodeDateOrNull, decodeInt, decodeJsonObject, decodeString, encodeDate, encodeJson } from './values';

const COLUMNS = 'id, name, admin, created, last_activity, user_info';

/** Server states that count as active (occupying resources). */
const ACTIVE_STATES = "('pending-start', 'running', 'pending-stop')";

const STATE_CONDITIONS: Record<UserStateFilter, string> = {
  ready: "EXISTS (SELECT 1 FROM servers s WHERE s.user_id = users.id AND s.state = 'running')",
  active: `EXISTS (SELECT 1 FROM servers s WHERE s.user_id = users.id AND s.state IN ${ACTIVE_STATES})`,
  inactive: `NOT EXISTS (SELECT 1 FROM servers s WHERE s.user_id = users.id AND s.state IN ${ACTIVE_STATES})`,
};

/** `last_activity` nulls count as oldest: first ascending, last descending, on both dialects. */
const ORDER_BY: Record<UserSort, string> = {
  id: 'id ASC',
  '-id': 'id DESC',
  name: 'name ASC',
  '-name': 'name DESC',
  last_activity: 'last_activity ASC NULLS FIRST, id ASC',
  '-last_activity': 'last_activity DESC NULLS LAST, id ASC',
};

/** {@link UserRepository} in SQL. Renames and deletes carry the local account along. */
export class SqlUserRepository implements UserRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: { name: string; admin?: boolean; created?: Date; userInfo?: Record<string, unknown> }): Promise<UserRecord> {
    const rows = await this.ctx.db.query(
      `INSERT INTO users (name, admin, created, last_activity, user_info) VALUES (?, ?, ?, NULL, ?) RETURNING ${COLUMNS}`,
      [input.name, input.admin ?? false, encodeDate(input.created ?? this.ctx.now()), encodeJson(input.userInfo ?? {})],
    );
    return decodeUser(first(rows));
  }

  async getById(id: number): Promise<UserRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
    return rows[0] ? decodeUser(rows[0]) : null;
  }

  async getByName(name: string): Promise<UserRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM users WHERE name = ?`, [name]);
    return rows[0] ? decodeUser(rows[0]) : null;
  }

  /** Sorted by id. */
  async getByNames(names: readonly string[]): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    for (const slice of chunks(unique(names), IN_LIST_CHUNK)) {
      const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM users WHERE name IN (${placeholders(slice.length)})`, slice);
      out.push(...rows.map(decodeUser));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async list(query: { offset: number; limit: number; state?: UserStateFilter; nameFilter?: string; sort?: UserSort }): Promise<{
    items: UserRecord[];
    total: number;
  }> {
    const conditions: string[] = [];
    const params: SqlParam[] = [];
    if (query.state) conditions.push(STATE_CONDITIONS[query.state]);
    if (query.nameFilter) {
      conditions.push("LOWER(name) LIKE ? ESCAPE '\\'");
      params.push(`%${escapeLike(query.nameFilter.toLowerCase())}%`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const counted = await this.ctx.db.query(`SELECT COUNT(*) AS n FROM users ${where}`, params);
    const total = decodeInt(first(counted).n);
    if (total === 0 || query.limit <= 0 || query.offset >= total) return { items: [], total };
    const rows = await this.ctx.db.query(
      `SELECT ${COLUMNS} FROM users ${where} ORDER BY ${ORDER_BY[query.sort ?? 'id']} LIMIT ? OFFSET ?`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.map(decodeUser), total };
  }

  async update(id: number, patch: { name?: string; admin?: boolean; userInfo?: Record<string, unknown> }): Promise<UserRecord | null> {
    const sets: string[] = [];
    const params: SqlParam[] = [];
    if (patch.name !== undefined) {
      sets.push('name = ?');
      params.push(patch.name);
    }
    if (patch.admin !== undefined) {
      sets.push('admin = ?');
      params.push(patch.admin);
    }
    if (patch.userInfo !== undefined) {
      sets.push('user_info = ?');
      params.push(encodeJson(patch.userInfo));
    }
    if (sets.length === 0) return this.getById(id);
    return this.ctx.db.transaction(async (tx) => {
      const before = await tx.query('SELECT name FROM users WHERE id = ?', [id]);
      if (!before[0]) return null;
      const oldName = decodeString(before[0].name);
      const rows = await tx.query(`UPDATE users SET ${sets.join(', ')} WHERE id = ? RETURNING ${COLUMNS}`, [...params, id]);
      const user = decodeUser(first(rows));
      if (user.name !== oldName) {
        await tx.run('UPDATE local_accounts SET user_name = ? WHERE user_name = ?', [user.name, oldName]);
      }
      return user;
    });
  }

  async touchActivity(id: number, at: Date): Promise<void> {
    const when = encodeDate(at);
    await this.ctx.db.run('UPDATE users SET last_activity = ? WHERE id = ? AND (last_activity IS NULL OR last_activity < ?)', [when, id, when]);
  }

  async delete(id: number): Promise<boolean> {
    return this.ctx.db.transaction(async (tx) => {
      const rows = await tx.query('DELETE FROM users WHERE id = ? RETURNING name', [id]);
      if (!rows[0]) return false;
      await tx.run('DELETE FROM local_accounts WHERE user_name = ?', [decodeString(rows[0].name)]);
      return true;
    });
  }

  async count(): Promise<number> {
    return decodeInt(first(await this.ctx.db.query('SELECT COUNT(*) AS n FROM users')).n);
  }
}

/** Decodes a `users` row. */
export function decodeUser(row: SqlRow): UserRecord {
  return {
    id: decodeInt(row.id),
    name: decodeString(row.name),
    admin: decodeBool(row.admin),
    created: decodeDate(row.created),
    lastActivity: decodeDateOrNull(row.last_activity),
    userInfo: decodeJsonObject(row.user_info),
  };
}

