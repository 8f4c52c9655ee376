import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOwnWriteSignal } from '../contract/change-signal.contract';
import { openStore } from '../open';
import type { Store, StoreChangeSignal } from '../store';

let dir: string;
let path: string;
let store: Store;
let signal: StoreChangeSignal;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-change-signal-'));
  path = join(dir, 'hub.sqlite');
  store = await openStore({ kind: 'sqlite', path });
  if (!store.changes) throw new Error('a SQLite store has a change signal');
  signal = store.changes;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite store change signal', () => {
  it('stays put while only reads happen', async () => {
    await store.users.create({ name: 'alice' });
    const before = signal.version();
    await store.users.getByName('alice');
    await store.users.list({ offset: 0, limit: 10 });
    await store.tokens.findByHash('nothing');
    expect(signal.version()).toBe(before);
  });

  describeOwnWriteSignal(() => store);

  it('stays put after a rolled-back transaction once its first look is taken', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.users.create({ name: 'bob' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = signal.version();
    expect(signal.version()).toBe(after);
  });

  it('grows when another connection commits to the same file', async () => {
    await store.users.create({ name: 'alice' });
    const before = signal.version();
    const other = new Database(path);
    try {
      other.prepare('UPDATE users SET admin = 1 WHERE name = ?').run('alice');
    } finally {
      other.close();
    }
    expect(signal.version()).toBeGreaterThan(before);
  });

  it('grows when another process commits to the same file', async () => {
    await store.users.create({ name: 'alice' });
    const before = signal.version();
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1]); db.prepare("DELETE FROM users WHERE name = 'alice'").run(); db.close();`;
    execFileSync(process.execPath, ['-e', script, path], { cwd: __dirname, stdio: 'pipe' });
    const after = signal.version();
    expect(after).toBeGreaterThan(before);
    expect(signal.version()).toBe(after);
    expect(await store.users.getByName('alice')).toBeNull();
  });
});
