import { join } from 'node:path';
import { checkConfig } from './check';
import { useConfigSandbox } from './testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-db-config-');
const SECRET = 'pa55-in-the-secret';
const URL_IN_ENV = `postgresql://hub:${SECRET}@postgres.db.svc:5432/hub`;

describe('db.urlEnv: the PostgreSQL URL from an environment variable', () => {
  it('reads the URL from the variable it names', () => {
    const config = sandbox.load('db: { kind: postgres, urlEnv: HUB_DB_URL }\n', { HUB_DB_URL: URL_IN_ENV });
    expect(config.db).toEqual({ kind: 'postgres', url: URL_IN_ENV });
  });

  it('trims a trailing newline (a Secret made from a file) off the URL', () => {
    const config = sandbox.load('db: { kind: postgres, urlEnv: HUB_DB_URL }\n', { HUB_DB_URL: `${URL_IN_ENV}\n` });
    expect(config.db).toEqual({ kind: 'postgres', url: URL_IN_ENV });
  });

  it('keeps db.url working as before', () => {
    expect(sandbox.load('db: { kind: postgres, url: "postgres://hub@db/hub" }\n').db).toEqual({ kind: 'postgres', url: 'postgres://hub@db/hub' });
  });

  it('refuses db.url and db.urlEnv both set', () => {
    expect(sandbox.problemsOf(`db: { kind: postgres, url: "postgres://hub@db/hub", urlEnv: HUB_DB_URL }\n`, { HUB_DB_URL: URL_IN_ENV })).toEqual([
      'config error at db.urlEnv: set db.url or db.urlEnv, not both',
    ]);
  });

  it('refuses a variable that is not set, naming the key and the variable', () => {
    expect(sandbox.problemsOf('db: { kind: postgres, urlEnv: HUB_DB_URL }\n', {})).toEqual([
      'config error at db.urlEnv: the environment variable HUB_DB_URL is not set',
    ]);
  });

  it('refuses a variable that is empty or blank', () => {
    for (const value of ['', '  \n']) {
      expect(sandbox.problemsOf('db: { kind: postgres, urlEnv: HUB_DB_URL }\n', { HUB_DB_URL: value })).toEqual([
        'config error at db.urlEnv: the environment variable HUB_DB_URL is empty',
      ]);
    }
  });

  it('refuses a value that is no PostgreSQL URL without printing the value', () => {
    const notUrl = sandbox.problemsOf('db: { kind: postgres, urlEnv: HUB_DB_URL }\n', { HUB_DB_URL: `//hub:${SECRET}@db/hub` });
    expect(notUrl).toEqual(['config error at db.urlEnv: the value of HUB_DB_URL is not a URL (expected postgres://user:password@host:5432/database)']);
    const mysql = sandbox.problemsOf('db: { kind: postgres, urlEnv: HUB_DB_URL }\n', { HUB_DB_URL: `mysql://hub:${SECRET}@db/hub` });
    expect(mysql).toEqual(['config error at db.urlEnv: the value of HUB_DB_URL is not a postgres:// or postgresql:// URL']);
  });

  it('refuses db.urlEnv with SQLite (a forgotten kind: postgres would silently use SQLite)', () => {
    expect(sandbox.problemsOf('db: { urlEnv: HUB_DB_URL }\n', { HUB_DB_URL: URL_IN_ENV })).toEqual([
      'config error at db.urlEnv: only with db.kind postgres (db.kind is sqlite): set db.kind: postgres, or remove db.urlEnv',
    ]);
  });

  it('refuses db.url with SQLite, naming the key, and the hub does not start', () => {
    expect(sandbox.problemsOf(`db: { url: "postgres://hub:${SECRET}@db/hub" }\n`)).toEqual([
      'config error at db.url: only with db.kind postgres (db.kind is sqlite): set db.kind: postgres, or remove db.url',
    ]);
    expect(() => sandbox.load('db: { kind: sqlite, url: "postgres://hub@db/hub" }\n')).toThrow(/config error at db\.url: only with db\.kind postgres/);
  });

  it('refuses db.path with PostgreSQL', () => {
    expect(sandbox.problemsOf('db: { kind: postgres, url: "postgres://hub@db/hub", path: hub.sqlite }\n')).toEqual([
      'config error at db.path: only with db.kind sqlite (db.kind is postgres): the database is at db.url; remove db.path',
    ]);
  });

  it('refuses a variable name that cannot be one (the schema, naming the key)', () => {
    const problems = sandbox.problemsOf('db: { kind: postgres, urlEnv: "HUB DB URL" }\n', {});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^config error at db\.urlEnv: /);
  });

  it('check-config shows the URL from the variable with its password hidden', () => {
    const file = sandbox.file('db: { kind: postgres, urlEnv: HUB_DB_URL }\n');
    const result = checkConfig(file, { env: { HUB_DB_URL: URL_IN_ENV } });
    if (!result.ok) throw new Error(result.errors);
    expect(result.summary).toContain('db: postgres (postgresql://hub:***@postgres.db.svc:5432/hub)');
    expect(result.summary).not.toContain(SECRET);
  });

  it('leaves SQLite as it was', () => {
    expect(sandbox.load('db: { path: db/hub.sqlite }\n').db).toEqual({ kind: 'sqlite', path: join(sandbox.dir, 'db', 'hub.sqlite') });
  });
});
