import type { GroupRecord, GroupRepository } from '../store';
import type { SqlRow } from './driver';
import { chunks, first, IN_LIST_CHUNK, placeholders, unique, type RepositoryContext } from './sql-helpers';
import { decodeInt, decodeJsonObject, decodeString, encodeJson } from './values';

const COLUMNS = 'id, name, properties';

/** {@link GroupRepository} in SQL. */
export class SqlGroupRepository implements GroupRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: { name: string; properties?: Record<string, unknown> }): Promise<GroupRecord> {
    const rows = await this.ctx.db.query(`INSERT INTO groups (name, properties) VALUES (?, ?) RETURNING ${COLUMNS}`, [
      input.name,
      encodeJson(input.properties ?? {}),
    ]);
    return decodeGroup(first(rows));
  }

  async getByName(name: string): Promise<GroupRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM groups WHERE name = ?`, [name]);
    return rows[0] ? decodeGroup(rows[0]) : null;
  }

  async list(query: { offset: number; limit: number }): Promise<{ items: GroupRecord[]; total: number }> {
    const total = decodeInt(first(await this.ctx.db.query('SELECT COUNT(*) AS n FROM groups')).n);
    if (total === 0 || query.limit <= 0 || query.offset >= total) return { items: [], total };
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM groups ORDER BY id LIMIT ? OFFSET ?`, [query.limit, query.offset]);
    return { items: rows.map(decodeGroup), total };
  }

  async setProperties(id: number, properties: Record<string, unknown>): Promise<void> {
    await this.ctx.db.run('UPDATE groups SET properties = ? WHERE id = ?', [encodeJson(properties), id]);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.ctx.db.run('DELETE FROM groups WHERE id = ?', [id])).changes > 0;
  }

  async addMembers(groupId: number, userIds: readonly number[]): Promise<void> {
    const ids = unique(userIds);
    if (ids.length === 0) return;
    await this.ctx.db.transaction(async (tx) => {
      for (const slice of chunks(ids, IN_LIST_CHUNK)) {
        const values = slice.map(() => '(?, ?)').join(', ');
        await tx.run(
          `INSERT INTO group_members (group_id, user_id) VALUES ${values} ON CONFLICT DO NOTHING`,
          slice.flatMap((userId) => [groupId, userId]),
        );
      }
    });
  }

  async removeMembers(groupId: number, userIds: readonly number[]): Promise<void> {
    const ids = unique(userIds);
    if (ids.length === 0) return;
    await this.ctx.db.transaction(async (tx) => {
      for (const slice of chunks(ids, IN_LIST_CHUNK)) {
        await tx.run(`DELETE FROM group_members WHERE group_id = ? AND user_id IN (${placeholders(slice.length)})`, [groupId, ...slice]);
      }
    });
  }

  async memberNames(groupId: number): Promise<string[]> {
    const rows = await this.ctx.db.query(
      'SELECT u.name AS name FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY u.name',
      [groupId],
    );
    return rows.map((row) => decodeString(row.name));
  }

  async groupNamesOf(userId: number): Promise<string[]> {
    const rows = await this.ctx.db.query(
      'SELECT g.name AS name FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.user_id = ? ORDER BY g.name',
      [userId],
    );
    return rows.map((row) => decodeString(row.name));
  }

  async groupNamesOfUsers(userIds: readonly number[]): Promise<Map<number, string[]>> {
    const ids = unique(userIds);
    const out = new Map<number, string[]>(ids.map((id) => [id, []]));
    // One query per IN_LIST_CHUNK ids (one for any page size); rows come sorted by name per user.
    for (const slice of chunks(ids, IN_LIST_CHUNK)) {
      const rows = await this.ctx.db.query(
        `SELECT m.user_id AS user_id, g.name AS name FROM group_members m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id IN (${placeholders(slice.length)}) ORDER BY m.user_id, g.name`,
        slice,
      );
      for (const row of rows) out.get(decodeInt(row.user_id))?.push(decodeString(row.name));
    }
    return out;
  }

  async setUserGroups(userId: number, groupNames: readonly string[]): Promise<void> {
    const names = unique(groupNames);
    await this.ctx.db.transaction(async (tx) => {
      if (names.length === 0) {
        await tx.run('DELETE FROM group_members WHERE user_id = ?', [userId]);
        return;
      }
      const wanted: number[] = [];
      for (const slice of chunks(names, IN_LIST_CHUNK)) {
        await tx.run(`INSERT INTO groups (name, properties) VALUES ${slice.map(() => "(?, '{}')").join(', ')} ON CONFLICT (name) DO NOTHING`, slice);
        const rows = await tx.query(`SELECT id FROM groups WHERE name IN (${placeholders(slice.length)})`, slice);
        wanted.push(...rows.map((row) => decodeInt(row.id)));
      }
      const current = await tx.query('SELECT group_id FROM group_members WHERE user_id = ?', [userId]);
      const keep = new Set(wanted);
      const drop = current.map((row) => decodeInt(row.group_id)).filter((id) => !keep.has(id));
      for (const slice of chunks(drop, IN_LIST_CHUNK)) {
        await tx.run(`DELETE FROM group_members WHERE user_id = ? AND group_id IN (${placeholders(slice.length)})`, [userId, ...slice]);
      }
      for (const slice of chunks(wanted, IN_LIST_CHUNK)) {
        const values = slice.map(() => '(?, ?)').join(', ');
        await tx.run(
          `INSERT INTO group_members (group_id, user_id) VALUES ${values} ON CONFLICT DO NOTHING`,
          slice.flatMap((groupId) => [groupId, userId]),
        );
      }
    });
  }
}

/** Decodes a `groups` row. */
export function decodeGroup(row: SqlRow): GroupRecord {
  return { id: decodeInt(row.id), name: decodeString(row.name), properties: decodeJsonObject(row.properties) };
}
