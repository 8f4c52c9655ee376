import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../open';
import { openSqliteDriver } from '../sqlite/sqlite-driver';
import { SchemaTooNewError } from '../store';
import { MIGRATIONS } from '.';
import { migrate } from './migrate';
import type { Migration } from './migration';

const now = (): Date => new Date('2025-01-01T00:00:00.000Z');

describe('SQLite migrations', () => {
  let dir = '';
  let path = '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clusterhub-migrate-'));
    path = join(dir, 'data', 'hub.sqlite');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function versions(): { version: number; name: string }[] {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
    } finally {
      db.close();
    }
  }

  it('creates the schema in a WAL-mode file and records every migration once', async () => {
    const store = await openStore({ kind: 'sqlite', path });
    await store.users.create({ name: 'alice' });
    await store.close();
    expect(versions()).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const again = await openStore({ kind: 'sqlite', path });
    expect(await again.users.getByName('alice')).not.toBeNull();
    await again.close();
    expect(versions()).toHaveLength(MIGRATIONS.length);
  });

  it('applies nothing when migrating a current database again', async () => {
    const driver = openSqliteDriver({ path });
    try {
      expect(await migrate(driver, { migrations: MIGRATIONS, now })).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(driver, { migrations: MIGRATIONS, now })).toEqual([]);
    } finally {
      await driver.close();
    }
  });

  it('applies only the migrations above the recorded version', async () => {
    const extra: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'add-usage',
      statements: (t) => [`CREATE TABLE usage_test (id ${t.id}, minutes INTEGER NOT NULL)`],
    };
    const driver = openSqliteDriver({ path });
    try {
      await migrate(driver, { migrations: MIGRATIONS, now });
      expect(await migrate(driver, { migrations: [...MIGRATIONS, extra], now })).toEqual([extra.version]);
      await driver.run('INSERT INTO usage_test (minutes) VALUES (?)', [5]);
      expect(await driver.query('SELECT minutes FROM usage_test')).toEqual([{ minutes: 5 }]);
    } finally {
      await driver.close();
    }
    expect(versions().map((v) => v.name)).toContain('add-usage');
  });

  it('refuses a database written by a newer clusterhub with SchemaTooNewError', async () => {
    const store = await openStore({ kind: 'sqlite', path });
    await store.close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'from-the-future', now().toISOString());
    db.close();
    const opening = openStore({ kind: 'sqlite', path });
    await expect(opening).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(opening).rejects.toMatchObject({ databaseVersion: 999, codeVersion: MIGRATIONS.length });
  });

  it('rolls back a failing migration entirely', async () => {
    const broken: Migration = { version: 1, name: 'broken', statements: () => ['CREATE TABLE ok_table (id INTEGER)', 'NOT SQL'] };
    const driver = openSqliteDriver({ path });
    try {
      // better-sqlite3 may build its errors in another realm than jest's: compare the shape.
      const outcome = await migrate(driver, { migrations: [broken], now }).then(
        () => 'resolved',
        (err: unknown) => err,
      );
      expect(outcome).toMatchObject({ code: 'SQLITE_ERROR' });
      expect(await driver.query("SELECT name FROM sqlite_master WHERE name IN ('ok_table', 'schema_migrations')")).toEqual([]);
    } finally {
      await driver.close();
    }
  });

  it('refuses a migration list that is not numbered 1, 2, 3…', async () => {
    const driver = openSqliteDriver({ path: ':memory:' });
    try {
      const skipped: Migration = { version: 2, name: 'skipped', statements: () => [] };
      await expect(migrate(driver, { migrations: [skipped], now })).rejects.toThrow(/expected 1/);
    } finally {
      await driver.close();
    }
  });
});
