/**
 * Test harness: starts a real clusterhub in-process (real express app, real SQLite store in a
 * temp folder, real built-in proxy or CHP, the spawner of the test's choice) on free loopback ports.
 * Test tooling, not product code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { HubConfig } from '@clusterhub/shared';
import { loadConfig } from '../../src/config/load';
import { buildHub, type Hub, type HubOverrides } from '../../src/app';
import { silentLogger } from '../../src/observability/logger';
import { AccountService } from '../../src/services/accounts';
import { newToken, sha256Hex } from '../../src/lib/secrets';

/** A running test hub. */
export interface TestHub {
  readonly hub: Hub;
  /** Public URL through the proxy, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly publicUrl: string;
  /** The hub's own URL (no proxy). */
  readonly internalUrl: string;
  /** `<internalUrl>/hub/api`. */
  readonly apiUrl: string;
  /** Token of the admin user `admin` (full admin scopes). */
  readonly adminToken: string;
  readonly dataDir: string;
  /** Creates a user (with a local password when given) and returns an API token that inherits its scopes. */
  addUser(name: string, opts?: { admin?: boolean; password?: string }): Promise<string>;
  /** Stops the hub (servers keep running unless stopped before) and removes the temp folder unless `keepData`. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** Options of {@link startTestHub}. */
export interface TestHubOptions {
  /** Raw config merged over the test defaults (free ports, temp data dir, quiet logs). */
  readonly config?: HubConfig;
  /** Replaceable collaborators (e.g. a FakeSpawner). */
  readonly overrides?: HubOverrides;
  /** Reuse an existing data folder (restart tests). */
  readonly dataDir?: string;
}

/** Creates an API token directly in the store for a user (inherits the user's scopes). */
export async function tokenFor(hub: Hub, userName: string, scopes: string[] = []): Promise<string> {
  const user = await hub.context.store.users.getByName(userName);
  if (!user) throw new Error(`no user ${userName}`);
  const token = newToken();
  await hub.context.store.tokens.create({
    kind: 'api',
    userId: user.id,
    serviceName: null,
    prefix: token.slice(0, 4),
    hash: sha256Hex(token),
    scopes,
    note: 'test',
    expiresAt: null,
    sessionId: null,
    oauthClientId: 'jupyterhub',
    serverId: null,
  });
  return token;
}

/** Starts a hub for a test. Call `stop()` in afterAll/afterEach. */
export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'clusterhub-test-'));
  const raw: HubConfig = {
    ...options.config,
    hub: {
      public: { ip: '127.0.0.1', port: 0 },
      internal: { ip: '127.0.0.1', port: 0 },
      dataDir,
      logLevel: 'warn',
      slowSpawnTimeoutSeconds: 10,
      ...options.config?.hub,
    },
    // As root (CI), user servers run as per-user Unix accounts, created on first start.
    spawner: { createSystemUsers: true, ...options.config?.spawner },
  };
  const configPath = join(dataDir, 'test-config.yaml');
  writeFileSync(configPath, stringify(raw));
  const config = loadConfig(configPath);
  const hub = await buildHub(config, { logger: silentLogger(), ...options.overrides });
  const accounts = new AccountService(hub.context.store);
  if (!(await hub.context.store.users.getByName('admin'))) await accounts.add('admin', { admin: true, password: 'admin-password-1' });
  await hub.start();
  const adminToken = await tokenFor(hub, 'admin');
  return {
    hub,
    publicUrl: hub.publicUrl ?? hub.internalUrl,
    internalUrl: hub.internalUrl,
    apiUrl: `${hub.internalUrl}/hub/api`,
    adminToken,
    dataDir,
    async addUser(name, opts = {}) {
      if (opts.password) await accounts.add(name, { admin: opts.admin, password: opts.password });
      else await hub.context.store.users.create({ name, admin: opts.admin ?? false });
      return tokenFor(hub, name);
    },
    async stop(stopOpts = {}) {
      await hub.stop();
      if (!stopOpts.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
