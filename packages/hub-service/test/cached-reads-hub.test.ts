/**
 * A running hub answers repeated token reads and `GET /users/{name}` from memory (ChangeGuardedCache:
 * the token index in services/identity.ts, user snapshots in services/users.ts); these tests show
 * that a revocation, a removed user or any other change still shows on the very next request, also
 * when another process (the `clusterhub` CLI, a second connection) writes the hub's SQLite file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { apiCall } from './harness/api-call';
import { cliChildEnv } from './harness/cli-child';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { REPO_ROOT } from './harness/repo-paths';
import { sha256Hex } from '../src/lib/secrets';

const MAIN = join(REPO_ROOT, 'packages/hub-service/lib/cli/main.js');
/** Longest a CLI command may take before the test gives up on it. */
const COMMAND_LIMIT_MS = 60_000;

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub();
});

afterAll(async () => {
  await t.stop();
});

function dbPath(): string {
  const db = t.hub.context.config.db;
  if (db.kind !== 'sqlite') throw new Error('the test hub uses SQLite');
  return db.path;
}

/** Runs SQL on the hub's database file from another process (a second connection, as the CLI's). */
function writeFromAnotherProcess(sql: string, ...params: (string | number)[]): void {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('foreign_keys = ON'); db.prepare(process.argv[2]).run(...JSON.parse(process.argv[3])); db.close();`;
  execFileSync(process.execPath, ['-e', script, dbPath(), sql, JSON.stringify(params)], { cwd: __dirname, stdio: 'pipe', timeout: COMMAND_LIMIT_MS });
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
    const result = spawnSync(process.execPath, [MAIN, 'user', 'delete', 'cli-victim', '--config', join(t.dataDir, 'test-config.yaml')], {
      cwd: REPO_ROOT,
      env: cliChildEnv(),
      encoding: 'utf8',
      timeout: COMMAND_LIMIT_MS,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect((await apiCall(`${t.apiUrl}/user`, { token })).status).toBe(403);
    await readsAsOwner(keeper, 'cli-keeper');
  });

  it('a token deleted from the database by another process is refused on the next request', async () => {
    const token = await t.addUser('row-victim');
    await readsAsOwner(token, 'row-victim');
    writeFromAnotherProcess('DELETE FROM tokens WHERE hash = ?', sha256Hex(token));
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
    writeFromAnotherProcess('UPDATE users SET admin = 1 WHERE name = ?', 'snap-a');
    expect((await userAsAdmin('snap-a')).json).toMatchObject({ admin: true, roles: ['admin', 'user'] });
    writeFromAnotherProcess("INSERT INTO groups (name, properties) VALUES ('snap-g', '{}')");
    writeFromAnotherProcess("INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM groups g, users u WHERE g.name = 'snap-g' AND u.name = ?", 'snap-a');
    expect((await userAsAdmin('snap-a')).json).toMatchObject({ groups: ['snap-g'] });
    writeFromAnotherProcess('DELETE FROM users WHERE name = ?', 'snap-a');
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
