/**
 * A running hub answers repeated token reads and `GET /users/{name}` from memory (ChangeGuardedCache:
 * the token index in services/identity.ts, user snapshots in services/users.ts); these tests show
 * that a revocation, a removed user or any other change still shows on the next request, also when
 * another process (the `clusterhub` CLI, a second connection) writes the hub's database, on both
 * stores. SQLite: on the very next request. PostgreSQL: on the next request once the change's
 * notification has reached the hub's listening connection (the store's documented guarantee), which
 * the tests await with a bounded poll of the change signal, never a sleep.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { apiCall } from './harness/api-call';
import { cliChildEnv } from './harness/cli-child';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { caching, eventually, POSTGRES_START_LIMIT_MS, startTestPostgres, withPgClient, type TestPostgres } from './harness/postgres';
import { REPO_ROOT } from './harness/repo-paths';
import { sha256Hex } from '../src/lib/secrets';
import { toNumberedPlaceholders } from '../src/store/sql/placeholders';

const MAIN = join(REPO_ROOT, 'packages/hub-service/lib/cli/main.js');
/** Longest a CLI command may take before the test gives up on it. */
const COMMAND_LIMIT_MS = 60_000;

describe.each(['sqlite', 'postgres'] as const)('a hub on %s', (kind) => {
  let t: TestHub;
  let pg: TestPostgres | null = null;

  beforeAll(async () => {
    if (kind === 'postgres') pg = await startTestPostgres();
    t = await startTestHub(pg ? { config: { db: { kind: 'postgres', url: await pg.freshDatabase() } } } : {});
    // Caching must be on, or these tests would only show uncached reads (PostgreSQL: subscribed).
    const signal = t.hub.context.store.changes;
    if (!signal) throw new Error(`a ${kind} store has a change signal`);
    await eventually(() => caching(signal), 'the change signal to allow caching');
  }, POSTGRES_START_LIMIT_MS);

  afterAll(async () => {
    await t.stop();
    await pg?.stop();
  });

  /** The hub's change version now. */
  function versionNow(): number {
    return t.hub.context.store.changes?.version() ?? 0;
  }

  /**
   * Runs `write`, which changes the hub's database from another process or connection, then waits
   * until the hub can have seen it: on SQLite not at all (its next look reads `PRAGMA data_version`),
   * on PostgreSQL until the hub's change version has moved (the notification is in).
   */
  async function elsewhere<T>(write: () => Promise<T> | T): Promise<T> {
    const before = versionNow();
    const result = await write();
    if (kind === 'postgres') await eventually(() => versionNow() > before, "the change's notification to reach the hub");
    return result;
  }

  /**
   * Runs SQL with `?` placeholders on the hub's database from another process (SQLite: a second
   * connection in a child process, as the CLI's) or another connection (PostgreSQL), booleans
   * written as each database wants them, and waits as {@link elsewhere} does.
   */
  async function writeFromAnotherProcess(sql: string, ...params: (string | number | boolean)[]): Promise<void> {
    const db = t.hub.context.config.db;
    if (db.kind === 'postgres') {
      await elsewhere(() => withPgClient(db.url, (c) => c.query(toNumberedPlaceholders(sql), params)));
      return;
    }
    const values = params.map((p) => (typeof p === 'boolean' ? Number(p) : p));
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('foreign_keys = ON'); db.prepare(process.argv[2]).run(...JSON.parse(process.argv[3])); db.close();`;
    execFileSync(process.execPath, ['-e', script, db.path, sql, JSON.stringify(values)], { cwd: __dirname, stdio: 'pipe', timeout: COMMAND_LIMIT_MS });
  }

  /** `GET /hub/api/users/{name}` as the admin, twice (so the second answer may come from memory); both answers must agree. */
  async function userAsAdmin(name: string): Promise<{ status: number; json: unknown }> {
    const first = await apiCall(`${t.apiUrl}/users/${encodeURIComponent(name)}?include_stopped_servers`, { token: t.adminToken });
    const second = await apiCall(`${t.apiUrl}/users/${encodeURIComponent(name)}?include_stopped_servers`, { token: t.adminToken });
    expect(second.status).toBe(first.status);
    expect(second.json).toEqual(first.json);
    return { status: second.status, json: second.json };
  }

  /** `GET /hub/api/user` with `token` a few times, so the index holds it; every answer must be 200. */
  async function readsAsOwner(token: string, name: string): Promise<void> {
    for (let i = 0; i < 3; i += 1) {
      const reply = await apiCall(`${t.apiUrl}/user`, { token });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ name });
    }
  }

  describe('token reads through the token index on a running hub', () => {
    it('a user deleted by the clusterhub CLI (another process) is refused on the next request', async () => {
      const token = await t.addUser('cli-victim', { password: 'victims-password-1' });
      const keeper = await t.addUser('cli-keeper');
      await readsAsOwner(token, 'cli-victim');
      await readsAsOwner(keeper, 'cli-keeper');
      const result = await elsewhere(() =>
        spawnSync(process.execPath, [MAIN, 'user', 'delete', 'cli-victim', '--config', join(t.dataDir, 'test-config.yaml')], {
          cwd: REPO_ROOT,
          env: cliChildEnv(),
          encoding: 'utf8',
          timeout: COMMAND_LIMIT_MS,
        }),
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect((await apiCall(`${t.apiUrl}/user`, { token })).status).toBe(403);
      await readsAsOwner(keeper, 'cli-keeper');
    });

    it('a token deleted from the database by another process is refused on the next request', async () => {
      const token = await t.addUser('row-victim');
      await readsAsOwner(token, 'row-victim');
      await writeFromAnotherProcess('DELETE FROM tokens WHERE hash = ?', sha256Hex(token));
      expect((await apiCall(`${t.apiUrl}/user`, { token })).status).toBe(403);
    });

    it('a token revoked through the API, and a user deleted through the API, are refused on the next request', async () => {
      const token = await t.addUser('api-victim');
      const spare = await apiCall(`${t.apiUrl}/users/api-victim/tokens`, { method: 'POST', token: t.adminToken, body: { note: 'spare' } });
      expect(spare.status).toBe(201);
      const { id, token: spareToken } = spare.json as { id: string; token: string };
      await readsAsOwner(token, 'api-victim');
      await readsAsOwner(spareToken, 'api-victim');
      expect((await apiCall(`${t.apiUrl}/users/api-victim/tokens/${id}`, { method: 'DELETE', token })).status).toBe(204);
      expect((await apiCall(`${t.apiUrl}/user`, { token: spareToken })).status).toBe(403);
      await readsAsOwner(token, 'api-victim');
      expect((await apiCall(`${t.apiUrl}/users/api-victim`, { method: 'DELETE', token: t.adminToken })).status).toBe(204);
      expect((await apiCall(`${t.apiUrl}/user`, { token })).status).toBe(403);
    });
  });

  describe('GET /users/{name} answered from memory on a running hub', () => {
    it('shows changes made by another process on the next request: admin flag, groups, removal', async () => {
      await t.addUser('snap-a');
      expect((await userAsAdmin('snap-a')).json).toMatchObject({ name: 'snap-a', admin: false, groups: [] });
      await writeFromAnotherProcess('UPDATE users SET admin = ? WHERE name = ?', true, 'snap-a');
      expect((await userAsAdmin('snap-a')).json).toMatchObject({ admin: true, roles: ['admin', 'user'] });
      await writeFromAnotherProcess("INSERT INTO groups (name, properties) VALUES ('snap-g', '{}')");
      await writeFromAnotherProcess("INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM groups g, users u WHERE g.name = 'snap-g' AND u.name = ?", 'snap-a');
      expect((await userAsAdmin('snap-a')).json).toMatchObject({ groups: ['snap-g'] });
      await writeFromAnotherProcess('DELETE FROM users WHERE name = ?', 'snap-a');
      expect((await userAsAdmin('snap-a')).status).toBe(404);
    });

    it('shows changes made through the API on the next request: activity, groups, servers, rename', async () => {
      await t.addUser('snap-b');
      expect((await userAsAdmin('snap-b')).json).toMatchObject({ last_activity: null, groups: [], servers: {} });
      const at = new Date(Date.now() - 60_000);
      expect((await apiCall(`${t.apiUrl}/users/snap-b/activity`, { method: 'POST', token: t.adminToken, body: { last_activity: at.toISOString() } })).status).toBe(200);
      const { last_activity: seen } = (await userAsAdmin('snap-b')).json as { last_activity: string };
      expect(Date.parse(seen)).toBe(at.getTime());
      expect((await apiCall(`${t.apiUrl}/groups/snap-h`, { method: 'POST', token: t.adminToken })).status).toBe(201);
      expect((await apiCall(`${t.apiUrl}/groups/snap-h/users`, { method: 'POST', token: t.adminToken, body: { users: ['snap-b'] } })).status).toBe(200);
      expect((await userAsAdmin('snap-b')).json).toMatchObject({ groups: ['snap-h'] });
      const user = await t.hub.context.store.users.getByName('snap-b');
      await t.hub.context.store.servers.create({ userId: user?.id ?? -1, name: 'gpu' });
      expect(((await userAsAdmin('snap-b')).json as { servers: Record<string, unknown> }).servers).toHaveProperty('gpu');
      expect((await apiCall(`${t.apiUrl}/users/snap-b`, { method: 'PATCH', token: t.adminToken, body: { name: 'snap-c' } })).status).toBe(200);
      expect((await userAsAdmin('snap-b')).status).toBe(404);
      expect((await userAsAdmin('snap-c')).json).toMatchObject({ name: 'snap-c', groups: ['snap-h'] });
    });
  });
});
