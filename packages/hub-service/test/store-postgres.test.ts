import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildHub } from '../src/app';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/observability/logger';
import { AccountService } from '../src/services/accounts';
import { MIGRATIONS } from '../src/store/migrations';
import { openStore } from '../src/store/open';
import { describeStoreContract } from '../src/store/store.contract';
import { SchemaTooNewError } from '../src/store/store';
import { BrowserClient } from './harness/http-client';
import { POSTGRES_START_LIMIT_MS, startTestPostgres, withPgClient as withClient, type TestPostgres } from './harness/postgres';

/**
 * The Store contract and the migration rules against a real PostgreSQL 15, started for this run by
 * scripts/start-postgres.sh (test/harness/postgres.ts). No PostgreSQL: failure.
 */
/** Empties every table (children first); cheaper than TRUNCATE on tables this small. */
const EMPTY_TABLES = ['oauth_codes', 'tokens', 'oauth_clients', 'group_members', 'servers', 'groups', 'users', 'local_accounts', 'usage_sessions', 'audit_events', 'budget_adjustments']
  .map((table) => `DELETE FROM ${table};`)
  .join(' ');

let pg: TestPostgres | null = null;
let adminUrl = '';
let contractUrl = '';

/** Creates a fresh, empty database and returns its URL. */
async function freshDatabase(): Promise<string> {
  if (!pg) throw new Error('PostgreSQL is not running');
  return pg.freshDatabase();
}

beforeAll(async () => {
  pg = await startTestPostgres();
  adminUrl = pg.adminUrl;
  contractUrl = await freshDatabase();
}, POSTGRES_START_LIMIT_MS);

afterAll(async () => {
  await pg?.stop();
});

describeStoreContract('postgres', async () => {
  const store = await openStore({ kind: 'postgres', url: contractUrl });
  await withClient(contractUrl, (c) => c.query(EMPTY_TABLES));
  return store;
});

describe('PostgreSQL schema and migrations', () => {
  it('records each migration once, however often the store is opened', async () => {
    const url = await freshDatabase();
    for (let i = 0; i < 2; i += 1) {
      const store = await openStore({ kind: 'postgres', url });
      await store.close();
    }
    const rows = await withClient(url, (c) => c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('lets concurrent hubs migrate the same database safely', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ kind: 'postgres', url })));
    await Promise.all(stores.map((s) => s.close()));
    const rows = await withClient(url, (c) => c.query('SELECT version FROM schema_migrations'));
    expect(rows.rowCount).toBe(MIGRATIONS.length);
  });

  it('refuses a database written by a newer clusterhub with SchemaTooNewError', async () => {
    const url = await freshDatabase();
    const store = await openStore({ kind: 'postgres', url });
    await store.close();
    await withClient(url, (c) =>
      c.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from-the-future', now())"),
    );
    const opening = openStore({ kind: 'postgres', url });
    await expect(opening).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(opening).rejects.toMatchObject({ databaseVersion: 999, codeVersion: MIGRATIONS.length });
  });

  it('indexes token hashes and user names, and uses native types', async () => {
    const url = await freshDatabase();
    const store = await openStore({ kind: 'postgres', url });
    await store.close();
    await withClient(url, async (c) => {
      const indexes = await c.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename IN ('tokens', 'users')");
      const defs = indexes.rows.map((r) => r.indexdef);
      expect(defs).toEqual(expect.arrayContaining([expect.stringMatching(/UNIQUE INDEX tokens_hash ON public\.tokens USING btree \(hash\)/)]));
      expect(defs).toEqual(expect.arrayContaining([expect.stringMatching(/UNIQUE INDEX \S+ ON public\.users USING btree \(name\)/)]));
      const types = await c.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name",
      );
      expect(Object.fromEntries(types.rows.map((r) => [r.column_name, r.data_type]))).toMatchObject({
        admin: 'boolean',
        created: 'timestamp with time zone',
        user_info: 'json',
      });
    });
  });

  it('notifies clusterhub_changes after writes to every table (migration 007), so every table is seen by the change signal', async () => {
    const url = await freshDatabase();
    const store = await openStore({ kind: 'postgres', url });
    await store.close();
    await withClient(url, async (c) => {
      const untriggered = await c.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables t WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'
           AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid
                           WHERE r.relname = t.tablename AND g.tgname = 'clusterhub_notify_change')`,
      );
      expect(untriggered.rows.map((r) => r.tablename)).toEqual([]);
    });
  });

  it('fails to open an unreachable server instead of hanging', async () => {
    const url = new URL(adminUrl);
    url.port = '1';
    await expect(openStore({ kind: 'postgres', url: url.toString() })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('a hub on PostgreSQL with the URL only in its environment (db.urlEnv)', () => {
  it('starts, keeps its users in that database, and never writes the URL or its password to the log', async () => {
    const url = new URL(await freshDatabase());
    // The test server trusts local connections: the password is never checked, only carried.
    const password = `pw-${process.pid}-only-in-the-environment`;
    url.password = password;
    const dir = mkdtempSync(join(tmpdir(), 'clusterhub-pg-env-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      ['hub:', '  public: { ip: 127.0.0.1, port: 0 }', '  internal: { ip: 127.0.0.1, port: 0 }', '  dataDir: data', '  logLevel: trace', 'db: { kind: postgres, urlEnv: HUB_DB_URL }', ''].join('\n'),
    );
    let log = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString('utf8');
        done();
      },
    });
    const config = loadConfig(file, { env: { HUB_DB_URL: url.toString() } });
    expect(config.db).toEqual({ kind: 'postgres', url: url.toString() });
    const hub = await buildHub(config, { logger: createLogger({ level: 'trace', destination }) });
    try {
      await new AccountService(hub.context.store).add('pgadmin', { admin: true, password: 'pgadmin-password-1' });
      await hub.start();
      expect(hub.context.store.kind).toBe('postgres');
      const browser = new BrowserClient();
      const login = await browser.login(hub.publicUrl ?? hub.internalUrl, 'pgadmin', 'pgadmin-password-1');
      expect(new URL(login.url).pathname).toBe('/hub/home');
      // The user is in the database the variable named, nowhere else.
      const rows = await withClient(url.toString(), (c) => c.query<{ name: string; admin: boolean }>('SELECT name, admin FROM users'));
      expect(rows.rows).toEqual([{ name: 'pgadmin', admin: true }]);
    } finally {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(log).toContain('clusterhub started');
    expect(log).not.toContain(password);
    expect(log).not.toContain(url.host + url.pathname);
  });
});
