/**
 * `db`: the rules the JSON schema cannot express (PostgreSQL needs `url` or `urlEnv`, not both; the
 * variable `urlEnv` names must hold a PostgreSQL URL; each key only with its kind: `path` with
 * SQLite, `url` and `urlEnv` with PostgreSQL) and the resolved form the store opens. The
 * URL may carry a password: no message here ever includes it.
 */
import { join, resolve } from 'node:path';
import type { DbConfig } from '@clusterhub/shared';
import { DEFAULT_SQLITE_FILE } from './defaults';
import type { ResolvedConfig } from './types';

function at(path: string, why: string): string {
  return `config error at ${path}: ${why}`;
}

/** URL schemes the PostgreSQL driver (pg) accepts. */
const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);

/** What is wrong with the value of the variable `name` (never the value itself), or null. */
function urlEnvProblem(name: string, value: string | undefined): string | null {
  if (value === undefined) return at('db.urlEnv', `the environment variable ${name} is not set`);
  if (value.trim() === '') return at('db.urlEnv', `the environment variable ${name} is empty`);
  let scheme: string;
  try {
    scheme = new URL(value.trim()).protocol;
  } catch {
    return at('db.urlEnv', `the value of ${name} is not a URL (expected postgres://user:password@host:5432/database)`);
  }
  if (!POSTGRES_SCHEMES.has(scheme)) return at('db.urlEnv', `the value of ${name} is not a postgres:// or postgresql:// URL`);
  return null;
}

/** Problems of a schema-valid `db` section, each naming its key; `env` is where `urlEnv` is read. */
export function dbProblems(db: DbConfig | undefined, env: NodeJS.ProcessEnv): string[] {
  const kind = db?.kind ?? 'sqlite';
  const url = db?.url;
  const urlEnv = db?.urlEnv;
  if (kind !== 'postgres') {
    // A forgotten `kind: postgres` would otherwise open SQLite and ignore the URL without a word.
    const only = (key: 'url' | 'urlEnv'): string => at(`db.${key}`, `only with db.kind postgres (db.kind is ${kind}): set db.kind: postgres, or remove db.${key}`);
    return [...(url === undefined ? [] : [only('url')]), ...(urlEnv === undefined ? [] : [only('urlEnv')])];
  }
  if (db?.path !== undefined) return [at('db.path', 'only with db.kind sqlite (db.kind is postgres): the database is at db.url; remove db.path')];
  if (url !== undefined && urlEnv !== undefined) return [at('db.urlEnv', 'set db.url or db.urlEnv, not both')];
  if (urlEnv !== undefined) {
    const problem = urlEnvProblem(urlEnv, env[urlEnv]);
    return problem === null ? [] : [problem];
  }
  if (url === undefined) return [at('db.url', 'required when db.kind is postgres (or db.urlEnv, naming an environment variable that holds it)')];
  return [];
}

/**
 * The store to open: SQLite at `path` (default `<dataDir>/clusterhub.sqlite`, relative paths
 * against `baseDir`), or PostgreSQL at `url` or the URL in the variable `urlEnv` names. Call only
 * after {@link dbProblems} found none.
 */
export function resolveDb(db: DbConfig, dataDir: string, baseDir: string, env: NodeJS.ProcessEnv): ResolvedConfig['db'] {
  if (db.kind === 'postgres') {
    const url = db.urlEnv === undefined ? db.url : env[db.urlEnv]?.trim();
    if (url === undefined) throw new Error('internal error: db has no URL after the config checks');
    return { kind: 'postgres', url };
  }
  const path = db.path === undefined ? join(dataDir, DEFAULT_SQLITE_FILE) : db.path === ':memory:' ? db.path : resolve(baseDir, db.path);
  return { kind: 'sqlite', path };
}
