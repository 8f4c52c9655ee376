/**
 * A running hub answers repeated token reads from its in-memory token index (services/token-index.ts);
 * these tests show that a revocation or a removed user still takes effect on the very next request,
 * also when another process (the `clusterhub` CLI, a second connection) writes the hub's SQLite file.
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
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.prepare('DELETE FROM tokens WHERE hash = ?').run(process.argv[2]); db.close();`;
    execFileSync(process.execPath, ['-e', script, dbPath(), sha256Hex(token)], { cwd: __dirname, stdio: 'pipe', timeout: COMMAND_LIMIT_MS });
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
