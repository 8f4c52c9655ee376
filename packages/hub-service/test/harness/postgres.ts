/**
 * Test harness: a throwaway PostgreSQL 15 started by scripts/start-postgres.sh (which installs the
 * Debian package if needed) for one test file, with fresh databases on demand. No PostgreSQL:
 * failure, never a skip. Test tooling, not product code.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { REPO_ROOT } from './repo-paths';

const run = promisify(execFile);
const SCRIPT = join(REPO_ROOT, 'scripts/start-postgres.sh');
/** Longest the start script may take (it may install the package first). */
export const POSTGRES_START_LIMIT_MS = 600_000;

/** A running test PostgreSQL. */
export interface TestPostgres {
  /** URL of the database the script created (superuser `postgres`, no password). */
  readonly adminUrl: string;
  /** Creates a fresh, empty database and returns its URL. */
  freshDatabase(): Promise<string>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** Opens one connection to `url`, runs `fn` on it and closes it. */
export async function withPgClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Starts a PostgreSQL for this test file (call in beforeAll with {@link POSTGRES_START_LIMIT_MS}). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const { stdout } = await run('bash', [SCRIPT, 'start'], { timeout: POSTGRES_START_LIMIT_MS, maxBuffer: 16 * 1024 * 1024 });
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => line.trim().split('='))
      .filter((parts): parts is [string, string] => parts.length === 2),
  );
  const adminUrl = values.get('CLUSTERHUB_TEST_PG_URL') ?? '';
  const dataDir = values.get('CLUSTERHUB_TEST_PG_DATADIR') ?? '';
  if (!adminUrl || !dataDir) throw new Error(`start-postgres.sh printed no URL or data dir:\n${stdout}`);
  let databases = 0;
  return {
    adminUrl,
    async freshDatabase() {
      databases += 1;
      const name = `store_${process.pid}_${databases}`;
      await withPgClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      await run('bash', [SCRIPT, 'stop', dataDir], { timeout: 60_000 });
    },
  };
}

/** Longest a test waits for the change listener to notice something (a bound, not an expectation). */
const SIGNAL_WAIT_MS = 15_000;

/** Resolves once `condition()` holds (checked every few milliseconds); fails naming `what` after a bounded wait. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SIGNAL_WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** True when two looks at the signal agree: it is subscribed and nothing moved it meanwhile (entries may be cached). */
export function caching(signal: { version(): number }): boolean {
  return signal.version() === signal.version();
}
