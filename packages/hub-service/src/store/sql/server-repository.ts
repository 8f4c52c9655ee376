import type { ServerState, StopReason } from '@clusterhub/shared';
import type { ServerPatch, ServerRecord, ServerRepository } from '../store';
import type { SqlParam, SqlRow } from './driver';
import { chunks, first, IN_LIST_CHUNK, placeholders, unique, type RepositoryContext } from './sql-helpers';
import {
  decodeDate,
  decodeDateOrNull,
  decodeInt,
  decodeJsonObject,
  decodeJsonObjectOrNull,
  decodeString,
  decodeStringOrNull,
  encodeDate,
  encodeDateOrNull,
  encodeJson,
} from './values';

const COLUMNS =
  'id, user_id, name, display_name, state, profile, user_options, spawner_kind, backend, handle, target, started, last_activity, stop_reason, message, created';

/** `servers.*` columns qualified with the alias `s`, for joins. */
const S_COLUMNS = COLUMNS.split(', ')
  .map((column) => `s.${column}`)
  .join(', ');

/** How each patchable field is written. */
const PATCH_COLUMNS: { readonly [K in keyof Required<ServerPatch>]: (value: Required<ServerPatch>[K]) => [string, SqlParam] } = {
  name: (v) => ['name', v],
  displayName: (v) => ['display_name', v],
  state: (v) => ['state', v],
  profile: (v) => ['profile', v],
  userOptions: (v) => ['user_options', encodeJson(v)],
  spawnerKind: (v) => ['spawner_kind', v],
  backend: (v) => ['backend', v],
  handle: (v) => ['handle', v === null ? null : encodeJson(v)],
  target: (v) => ['target', v],
  started: (v) => ['started', encodeDateOrNull(v)],
  lastActivity: (v) => ['last_activity', encodeDateOrNull(v)],
  stopReason: (v) => ['stop_reason', v],
  message: (v) => ['message', v],
};

/** {@link ServerRepository} in SQL. Deleting a server deletes its tokens and detaches its OAuth client. */
export class SqlServerRepository implements ServerRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: { userId: number; name: string; displayName?: string }): Promise<ServerRecord> {
    const rows = await this.ctx.db.query(
      `INSERT INTO servers (user_id, name, display_name, state, user_options, created) VALUES (?, ?, ?, 'stopped', '{}', ?) RETURNING ${COLUMNS}`,
      [input.userId, input.name, input.displayName ?? '', encodeDate(this.ctx.now())],
    );
    return decodeServer(first(rows));
  }

  async getById(id: number): Promise<ServerRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM servers WHERE id = ?`, [id]);
    return rows[0] ? decodeServer(rows[0]) : null;
  }

  async get(userId: number, name: string): Promise<ServerRecord | null> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM servers WHERE user_id = ? AND name = ?`, [userId, name]);
    return rows[0] ? decodeServer(rows[0]) : null;
  }

  async listByUser(userId: number): Promise<ServerRecord[]> {
    const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM servers WHERE user_id = ? ORDER BY name`, [userId]);
    return rows.map(decodeServer);
  }

  async listByUsers(userIds: readonly number[]): Promise<ServerRecord[]> {
    const out: ServerRecord[] = [];
    for (const slice of chunks(unique(userIds), IN_LIST_CHUNK)) {
      const rows = await this.ctx.db.query(`SELECT ${COLUMNS} FROM servers WHERE user_id IN (${placeholders(slice.length)}) ORDER BY user_id, name`, slice);
      out.push(...rows.map(decodeServer));
    }
    return out.sort((a, b) => a.userId - b.userId || compareNames(a.name, b.name));
  }

  async listActive(): Promise<(ServerRecord & { userName: string })[]> {
    const rows = await this.ctx.db.query(
      `SELECT ${S_COLUMNS}, u.name AS user_name FROM servers s JOIN users u ON u.id = s.user_id
       WHERE s.state NOT IN ('stopped', 'failed') ORDER BY s.id`,
    );
    return rows.map((row) => ({ ...decodeServer(row), userName: decodeString(row.user_name) }));
  }

  async countActive(): Promise<number> {
    const rows = await this.ctx.db.query("SELECT COUNT(*) AS n FROM servers WHERE state IN ('pending-start', 'running', 'pending-stop')");
    return decodeInt(first(rows).n);
  }

  async update(id: number, patch: ServerPatch): Promise<ServerRecord | null> {
    const sets: string[] = [];
    const params: SqlParam[] = [];
    for (const key of Object.keys(PATCH_COLUMNS) as (keyof ServerPatch)[]) {
      const value = patch[key];
      if (value === undefined) continue;
      const [column, param] = (PATCH_COLUMNS[key] as (v: unknown) => [string, SqlParam])(value);
      sets.push(`${column} = ?`);
      params.push(param);
    }
    if (sets.length === 0) return this.getById(id);
    const rows = await this.ctx.db.query(`UPDATE servers SET ${sets.join(', ')} WHERE id = ? RETURNING ${COLUMNS}`, [...params, id]);
    return rows[0] ? decodeServer(rows[0]) : null;
  }

  async touchActivity(id: number, at: Date): Promise<void> {
    const when = encodeDate(at);
    await this.ctx.db.run('UPDATE servers SET last_activity = ? WHERE id = ? AND (last_activity IS NULL OR last_activity < ?)', [when, id, when]);
  }

  async delete(id: number): Promise<boolean> {
    return (await this.ctx.db.run('DELETE FROM servers WHERE id = ?', [id])).changes > 0;
  }
}

const STATES: Readonly<Record<ServerState, true>> = {
  stopped: true,
  'pending-start': true,
  running: true,
  'pending-stop': true,
  failed: true,
};

const STOP_REASONS: Readonly<Record<StopReason, true>> = {
  idle: true,
  'gpu-idle': true,
  'max-age': true,
  walltime: true,
  budget: true,
  admin: true,
  error: true,
  user: true,
  died: true,
  shutdown: true,
};

function decodeState(value: unknown): ServerState {
  const text = decodeString(value);
  if (Object.hasOwn(STATES, text)) return text as ServerState;
  throw new TypeError(`unknown server state in the database: ${text}`);
}

function decodeStopReason(value: unknown): StopReason | null {
  const text = decodeStringOrNull(value);
  if (text === null || Object.hasOwn(STOP_REASONS, text)) return text as StopReason | null;
  throw new TypeError(`unknown stop reason in the database: ${text}`);
}

/** Byte-wise order of UTF-8 strings, as both databases sort names. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Decodes a `servers` row. */
export function decodeServer(row: SqlRow): ServerRecord {
  return {
    id: decodeInt(row.id),
    userId: decodeInt(row.user_id),
    name: decodeString(row.name),
    displayName: decodeString(row.display_name),
    state: decodeState(row.state),
    profile: decodeStringOrNull(row.profile),
    userOptions: decodeJsonObject(row.user_options),
    spawnerKind: decodeStringOrNull(row.spawner_kind),
    backend: decodeStringOrNull(row.backend),
    handle: decodeJsonObjectOrNull(row.handle),
    target: decodeStringOrNull(row.target),
    started: decodeDateOrNull(row.started),
    lastActivity: decodeDateOrNull(row.last_activity),
    stopReason: decodeStopReason(row.stop_reason),
    message: decodeStringOrNull(row.message),
    created: decodeDate(row.created),
  };
}
