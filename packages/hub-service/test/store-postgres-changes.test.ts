/**
 * The PostgreSQL store change signal (store/postgres/change-signal.ts) against a real PostgreSQL 15:
 * this process's writes, another connection's commits (another Store on the same database, as the
 * `clusterhub` CLI opens one; a plain client), and the listening connection killed and re-opened.
 * Waits are bounded polls of `version()`, never sleeps of a guessed length.
 */
import { ChangeGuardedCache } from '../src/services/change-guarded-cache';
import { describeOwnWriteSignal } from '../src/store/contract/change-signal.contract';
import { LISTENER_APPLICATION_NAME } from '../src/store/postgres/change-signal';
import { openPostgresDriver } from '../src/store/postgres/postgres-driver';
import { openStore } from '../src/store/open';
import type { Store, StoreChangeSignal } from '../src/store/store';
import { Relay } from './harness/k8s/relay';
import { caching, eventually, POSTGRES_START_LIMIT_MS, startTestPostgres, withPgClient, type TestPostgres } from './harness/postgres';

let pg: TestPostgres | null = null;
let url = '';
let store: Store;
let signal: StoreChangeSignal;
const others: Store[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  url = await pg.freshDatabase();
}, POSTGRES_START_LIMIT_MS);

afterAll(async () => {
  await pg?.stop();
});

beforeEach(async () => {
  store = await openStore({ kind: 'postgres', url });
  if (!store.changes) throw new Error('a PostgreSQL store has a change signal');
  signal = store.changes;
  await withPgClient(url, (c) => c.query('DELETE FROM group_members; DELETE FROM tokens; DELETE FROM groups; DELETE FROM users'));
  await eventually(() => caching(signal), 'the change listener to subscribe');
});

afterEach(async () => {
  await store.close();
  await Promise.all(others.splice(0).map((s) => s.close()));
});

/** Another store on the same database, as the CLI opens one (its signal is never read, so it listens to nothing). */
async function anotherStore(): Promise<Store> {
  const other = await openStore({ kind: 'postgres', url });
  others.push(other);
  return other;
}

/** Resolves once the version has moved past `before`. */
async function movedPast(before: number, what: string): Promise<number> {
  await eventually(() => signal.version() > before, what);
  return signal.version();
}

/**
 * Runs `sql` (a write to one table, in one statement) on a connection of its own and waits for its
 * one notification, so that no notification is pending afterwards; returns the version then.
 */
async function setUp(sql: string): Promise<number> {
  const before = signal.version();
  await withPgClient(url, (c) => c.query(sql));
  return movedPast(before, `the notification of: ${sql}`);
}

/** A user row written the way `setUp` needs (one statement, one table). */
function insertUser(name: string): string {
  return `INSERT INTO users (name, admin, created, user_info) VALUES ('${name}', false, now(), '{}')`;
}

describe('the PostgreSQL store change signal', () => {
  it('stays put while only reads happen', async () => {
    const settled = await setUp(insertUser('alice'));
    await store.users.getByName('alice');
    await store.users.list({ offset: 0, limit: 10 });
    await store.tokens.findByHash('nothing');
    expect(signal.version()).toBe(settled);
  });

  describeOwnWriteSignal(() => store);

  it('moves after another store on the same database commits (as the CLI does), and the change is then read', async () => {
    const before = await setUp(insertUser('carol'));
    const other = await anotherStore();
    const carol = await other.users.getByName('carol');
    await other.transaction(async (tx) => {
      await tx.users.update(carol?.id ?? -1, { admin: true });
      await tx.groups.create({ name: 'carols' });
    });
    await movedPast(before, "the other store's commit to be notified");
    expect(await store.users.getByName('carol')).toMatchObject({ admin: true });
    expect(await store.groups.getByName('carols')).not.toBeNull();
  });

  it('moves after a plain connection deletes rows, whatever the table', async () => {
    await setUp(insertUser('dave'));
    await setUp("INSERT INTO groups (name, properties) VALUES ('daves', '{}')");
    await setUp("DELETE FROM users WHERE name = 'dave'");
    expect(await store.users.getByName('dave')).toBeNull();
  });

  it('keeps a ChangeGuardedCache from serving a row another connection deleted once the notification is in', async () => {
    const cache = new ChangeGuardedCache<string>(signal);
    await setUp(insertUser('erin'));
    const load = async (): Promise<string | null> => (await store.users.getByName('erin'))?.name ?? null;
    expect(await cache.through('erin', load)).toBe('erin');
    expect(cache.size).toBe(1);
    const before = signal.version();
    await withPgClient(url, (c) => c.query("DELETE FROM users WHERE name = 'erin'"));
    await movedPast(before, 'the delete to be notified');
    expect(await cache.through('erin', load)).toBeNull();
  });

  it('caches nothing while its listening connection is gone, and again once it has subscribed anew', async () => {
    const killed = await withPgClient(url, (c) =>
      c.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [
        LISTENER_APPLICATION_NAME,
      ]),
    );
    expect(killed.rowCount).toBe(1);
    await eventually(() => !caching(signal), 'the lost connection to be noticed');
    await eventually(() => caching(signal), 'the listener to subscribe again');
    // Subscribed again: another connection's commit is notified as before.
    const before = signal.version();
    await withPgClient(url, (c) => c.query(insertUser('frank')));
    await movedPast(before, 'a commit after the new subscription');
  });

  it('caches nothing once the listening connection stops answering (a silent partition), and again once it is back', async () => {
    const relay = new Relay('127.0.0.1', Number(new URL(url).port));
    await relay.open();
    const viaRelay = new URL(url);
    viaRelay.port = String(relay.port);
    const driver = openPostgresDriver({ url: viaRelay.toString(), connectTimeoutMs: 1_000, changeHeartbeatMs: 200 });
    try {
      await eventually(() => caching(driver.changes), 'the listener to subscribe through the relay');
      relay.stall();
      await eventually(() => !caching(driver.changes), 'the unanswered heartbeat to count as a lost connection');
      await relay.cut();
      await relay.open();
      await eventually(() => caching(driver.changes), 'the listener to subscribe again');
    } finally {
      await driver.close();
      await relay.cut();
    }
  });

  it('caches nothing when the listening connection cannot be made', async () => {
    const unreachable = new URL(url);
    unreachable.port = '1';
    const driver = openPostgresDriver({ url: unreachable.toString(), connectTimeoutMs: 1_000 });
    try {
      const first = driver.changes.version();
      expect(driver.changes.version()).toBeGreaterThan(first);
      await new Promise((resolve) => setImmediate(resolve));
      expect(caching(driver.changes)).toBe(false);
    } finally {
      await driver.close();
    }
  });
});
