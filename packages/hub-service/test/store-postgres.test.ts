import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { buildHub } from '../src/app';
import { loadConfig } from '../src/config/load';
import { createLogger } from '../src/observability/logger';
import { AccountService } from '../src/services/accounts';
import { BrowserClient } from './harness/http-client';
import { MIGRATIONS } from '../src/store/migrations';
import { openStore } from '../src/store/open';
import { describeStoreContract } from '../src/store/store.contract';
import { SchemaTooNewError } from '../src/store/store';

/**
 * The Store contract and the migration rules against a real PostgreSQL 15, started for this run by
 * scripts/start-postgres.sh (which installs the Debian package if needed). No PostgreSQL: failure.
 */
const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '../../../scripts/start-postgres.sh');
/** Empties every table (children first); cheaper than TRUNCATE on tables this small. */
const EMPTY_TABLES = ['oauth_codes', 'tokens', 'oauth_clients', 'group_members', 'servers', 'groups', 'users', 'local_accounts', 'usage_sessions', 'audit_events', 'budget_adjustments']
  .map((table) => `DELETE FROM ${table};`)
  .join(' ');

let adminUrl = '';
let dataDir = '';
let contractUrl = '';
let databases = 0;

/** A URL for another database on the same server. */
function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty database and returns its URL. */
async function freshDatabase(): Promise<string> {
  databases += 1;
  const name = `store_${process.pid}_${databases}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return urlFor(name);
}

beforeAll(async () => {
  const { stdout } = await run('bash', [SCRIPT, 'start'], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => line.trim().split('='))
      .filter((parts): parts is [string, string] => parts.length === 2),
  );
  adminUrl = values.get('CLUSTERHUB_TEST_PG_URL') ?? '';
  dataDir = values.get('CLUSTERHUB_TEST_PG_DATADIR') ?? '';
  if (!adminUrl || !dataDir) throw new Error(`start-postgres.sh printed no URL or data dir:\n${stdout}`);
  contractUrl = await freshDatabase();
}, 600_000);

afterAll(async () => {
  if (dataDir) await run('bash', [SCRIPT, 'stop', dataDir], { timeout: 60_000 });
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
