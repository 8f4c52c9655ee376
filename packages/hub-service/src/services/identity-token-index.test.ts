/**
 * Token reads answered from the in-memory token index (a ChangeGuardedCache, services/change-guarded-cache.ts) stay exactly what
 * the store says: changes by this process and by other processes on the same SQLite file show on
 * the next read, expiry and activity bumps keep working.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { ResolvedConfig } from '../config/types';
import { openStore } from '../store/open';
import type { Store, UserRecord } from '../store/store';
import { newToken, sha256Hex } from '../lib/secrets';
import { IdentityService } from './identity';

const START = Date.parse('2024-05-01T12:00:00.000Z');
let dir: string;
let dbPath: string;
let config: ResolvedConfig;
let store: Store;
let alice: UserRecord;
let now: number;
let ids: IdentityService;

async function addToken(owner: UserRecord, opts: { expiresAt?: Date | null; scopes?: string[] } = {}): Promise<string> {
  const token = newToken();
  await store.tokens.create({
    kind: 'api',
    userId: owner.id,
    serviceName: null,
    prefix: token.slice(0, 4),
    hash: sha256Hex(token),
    scopes: opts.scopes ?? [],
    note: 'test',
    expiresAt: opts.expiresAt ?? null,
    sessionId: null,
    oauthClientId: 'jupyterhub',
    serverId: null,
  });
  return token;
}

/** Reads a token until the index holds it (the first read records activity, a write that empties the index). */
async function warm(ids: IdentityService, ...tokens: string[]): Promise<void> {
  for (let round = 0; round < 2; round += 1) {
    for (const token of tokens) expect(await ids.fromToken(token)).not.toBeNull();
  }
}

/** Runs SQL on the hub's database file from another process, as the `clusterhub` CLI would write it. */
function writeFromAnotherProcess(sql: string, ...params: (string | number)[]): void {
  const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.pragma('foreign_keys = ON'); db.prepare(process.argv[2]).run(...JSON.parse(process.argv[3])); db.close();`;
  execFileSync(process.execPath, ['-e', script, dbPath, sql, JSON.stringify(params)], { cwd: __dirname, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-token-index-'));
  config = loadConfig(null, { cwd: dir, env: {} });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  dbPath = join(mkdtempSync(join(dir, 'db-')), 'hub.sqlite');
  store = await openStore({ kind: 'sqlite', path: dbPath });
  alice = await store.users.create({ name: 'alice' });
  now = START;
  ids = new IdentityService({ store, config, clock: () => now });
});

afterEach(async () => {
  await store.close();
});

describe('token reads through the token index', () => {
  it('a token revoked through the store stops working on the next read', async () => {
    const token = await addToken(alice);
    await warm(ids, token);
    const record = await store.tokens.findByHash(sha256Hex(token));
    await store.tokens.delete(record?.id ?? -1);
    expect(await ids.fromToken(token)).toBeNull();
  });

  it('a token revoked by another process stops working on the next read', async () => {
    const token = await addToken(alice);
    const other = await addToken(alice);
    await warm(ids, token, other);
    writeFromAnotherProcess('DELETE FROM tokens WHERE hash = ?', sha256Hex(token));
    expect(await ids.fromToken(token)).toBeNull();
    expect((await ids.fromToken(other))?.name).toBe('alice');
  });

  it('a user removed by another process loses its tokens at once', async () => {
    const token = await addToken(alice);
    await warm(ids, token);
    writeFromAnotherProcess('DELETE FROM users WHERE name = ?', 'alice');
    expect(await ids.fromToken(token)).toBeNull();
  });

  it('a user removed through the store loses its tokens at once', async () => {
    const token = await addToken(alice);
    await warm(ids, token);
    await store.users.delete(alice.id);
    expect(await ids.fromToken(token)).toBeNull();
  });

  it('an admin flag set or taken by another process changes the scopes on the next read', async () => {
    const token = await addToken(alice);
    await warm(ids, token);
    expect((await ids.fromToken(token))?.scopes.has('admin:users')).toBe(false);
    writeFromAnotherProcess('UPDATE users SET admin = 1 WHERE name = ?', 'alice');
    expect((await ids.fromToken(token))?.scopes.has('admin:users')).toBe(true);
    writeFromAnotherProcess('UPDATE users SET admin = 0 WHERE name = ?', 'alice');
    expect((await ids.fromToken(token))?.scopes.has('admin:users')).toBe(false);
  });

  it('group membership changes show on the next read', async () => {
    const token = await addToken(alice, { scopes: ['read:users!group=gpu-users'] });
    await warm(ids, token);
    expect((await ids.fromToken(token))?.scopes.has('read:users!user=alice')).toBe(false);
    const group = await store.groups.create({ name: 'gpu-users' });
    await store.groups.addMembers(group.id, [alice.id]);
    await warm(ids, token);
    const identity = await ids.fromToken(token);
    expect(identity?.groups).toEqual(['gpu-users']);
    expect(identity?.scopes.has('read:users!user=alice')).toBe(true);
    writeFromAnotherProcess('DELETE FROM group_members');
    const after = await ids.fromToken(token);
    expect(after?.groups).toEqual([]);
    expect(after?.scopes.has('read:users!user=alice')).toBe(false);
  });

  it('a token read from the index still expires on time', async () => {
    const token = await addToken(alice, { expiresAt: new Date(START + 60_000) });
    await warm(ids, token);
    now = START + 59_999;
    expect((await ids.fromToken(token))?.name).toBe('alice');
    now = START + 60_000;
    expect(await ids.fromToken(token)).toBeNull();
  });

  it('token and user last_activity keep being recorded on repeated reads', async () => {
    const token = await addToken(alice);
    await ids.fromToken(token);
    const hash = sha256Hex(token);
    expect((await store.tokens.findByHash(hash))?.lastActivity?.getTime()).toBe(START);
    expect((await store.users.getById(alice.id))?.lastActivity?.getTime()).toBe(START);
    now = START + 10_000;
    await ids.fromToken(token);
    expect((await store.tokens.findByHash(hash))?.lastActivity?.getTime()).toBe(START);
    now = START + 120_000;
    await ids.fromToken(token);
    expect((await store.tokens.findByHash(hash))?.lastActivity?.getTime()).toBe(START + 120_000);
    expect((await store.users.getById(alice.id))?.lastActivity?.getTime()).toBe(START + 120_000);
  });

  it('a token read after another process touched the row sees the new row', async () => {
    const token = await addToken(alice);
    await warm(ids, token);
    writeFromAnotherProcess('UPDATE users SET name = ? WHERE id = ?', 'alice2', alice.id);
    expect((await ids.fromToken(token))?.name).toBe('alice2');
  });
});
