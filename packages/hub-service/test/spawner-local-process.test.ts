/**
 * LocalProcessSpawner against real processes: the Spawner contract with a small Python server
 * (test/fixtures/env-server.py), the exact environment and folder a server gets, failures while
 * starting, SIGKILL escalation, recycled pids, and one start of the real jupyterhub-singleuser.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { sleep } from '../src/spawners/abort';
import { LocalProcessSpawner } from '../src/spawners/local-process/local-process-spawner';
import type { LocalProcessSpawnerOptions } from '../src/spawners/local-process/local-process-spawner';
import { SpawnError } from '../src/spawners/spawner';
import { resolveAccount } from '../src/spawners/local-process/accounts';
import type { AccountPolicy, RunAsAccount } from '../src/spawners/local-process/accounts';
import type { SpawnContext, SpawnHandle, SpawnRequest } from '../src/spawners/spawner';
import { describeSpawnerContract } from '../src/spawners/spawner.contract';

jest.setTimeout(120_000);

import { REPO_ROOT, VENV_BIN, VENV_PYTHON } from './harness/repo-paths';
const FIXTURE = path.join(__dirname, 'fixtures', 'env-server.py');
const PROXY_SECRET = `proxy-secret-${randomUUID()}`;
const HOST_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  CONFIGPROXY_AUTH_TOKEN: PROXY_SECRET,
  CLUSTERHUB_HOST_ONLY: 'host-only',
  LANG: 'C.UTF-8',
};

let root = '';
let python = '';
let counter = 0;

/** The tests run as root on CI: then servers run as per-user accounts `chtest-<user>`, created on demand. */
const AS_ROOT = process.getuid?.() === 0;
const ACCOUNTS: AccountPolicy = AS_ROOT ? { mode: 'per-user', template: 'chtest-{username}', create: true, minUid: 1000 } : { mode: 'single-person' };

/** The account a test user's server runs as, looked up as the spawner does. */
async function accountOf(user: string): Promise<RunAsAccount> {
  return resolveAccount(ACCOUNTS, user);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clusterhub-spawner-'));
  // Accounts must pass through the test's folder to reach their working folders below it.
  await chmod(root, 0o711);
  // The venv's interpreter: the users' accounts can run it (scripts/setup-python.sh makes sure), and
  // it is the interpreter itself, not a wrapper (a pyenv shim would add variables to the environment).
  python = VENV_PYTHON;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function spawnerOptions(overrides: Partial<LocalProcessSpawnerOptions> = {}): LocalProcessSpawnerOptions {
  return {
    cmd: [python, FIXTURE],
    args: [],
    ip: '127.0.0.1',
    workDir: path.join(root, 'users', '{username}'),
    logDir: path.join(root, 'logs'),
    accounts: ACCOUNTS,
    envKeep: ['PATH', 'LANG'],
    hostEnv: HOST_ENV,
    environment: { ADMIN_VAR: 'from-admin' },
    ...overrides,
  };
}

function makeRequest(env: Record<string, string> = {}, serverName = ''): SpawnRequest {
  counter += 1;
  const name = `user${counter}`;
  const prefix = serverName ? `/user/${name}/${serverName}/` : `/user/${name}/`;
  return {
    user: { id: counter, name, groups: [] },
    server: { id: counter, name: serverName },
    profile: { slug: 'cpu', displayName: 'CPU', kind: 'cpu' },
    userOptions: {},
    prefix,
    env: { JUPYTERHUB_API_TOKEN: `token-${name}`, JUPYTERHUB_USER: name, CONTRACT_MARKER: randomUUID(), ...env },
  };
}

function context(signal = new AbortController().signal): SpawnContext {
  return { signal, onProgress: () => undefined };
}

/** Live processes whose environment holds `CONTRACT_MARKER=<marker>`. */
async function processesWithMarker(marker: string): Promise<number> {
  const needle = `CONTRACT_MARKER=${marker}`;
  let found = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').includes(needle)) found += 1;
    } catch {
      // Gone meanwhile, or not readable.
    }
  }
  return found;
}

/**
 * Transpiles the spawner (and @clusterhub/shared, into its node_modules) to plain CommonJS in `out`
 * with a `hub.js` that starts one server from JSON options and request given as arguments, prints
 * the result and exits: a separate "hub" process.
 */
async function transpiledHub(out: string): Promise<string> {
  const compile = async (from: string, to: string, file: string): Promise<void> => {
    const { outputText } = ts.transpileModule(await readFile(path.join(from, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    await mkdir(path.dirname(path.join(to, file)), { recursive: true });
    await writeFile(path.join(to, file.replace(/\.ts$/, '.js')), outputText, { mode: 0o644 });
  };
  const sources = path.resolve(__dirname, '../src/spawners');
  const files = ['spawner.ts', 'abort.ts', 'spawner-logger.ts', ...(await readdir(path.join(sources, 'local-process'))).map((f) => `local-process/${f}`)];
  for (const file of files.filter((f) => !f.endsWith('.test.ts'))) await compile(sources, out, file);
  const sharedSrc = path.resolve(__dirname, '../../shared/src');
  const sharedOut = path.join(out, 'node_modules', '@clusterhub', 'shared');
  for (const file of (await readdir(sharedSrc, { recursive: true })).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    await compile(sharedSrc, sharedOut, file);
  }
  const script = [
    "const { LocalProcessSpawner } = require('./local-process/local-process-spawner');",
    'const [options, request] = process.argv.slice(2).map((a) => JSON.parse(a));',
    'new LocalProcessSpawner(options).start(request, { signal: new AbortController().signal, onProgress() {} })',
    '  .then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });',
  ].join('\n');
  await writeFile(path.join(out, 'hub.js'), script, { mode: 0o644 });
  return out;
}

/** GETs `url` until it answers (bounded); throws the last error otherwise. */
async function getWhenUp(url: string, timeoutMs = 60_000): Promise<Response> {
  let last: unknown;
  for (let i = 0; i < timeoutMs / 100; i += 1) {
    try {
      return await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    } catch (error: unknown) {
      last = error;
    }
    await sleep(100);
  }
  throw last;
}

describeSpawnerContract('LocalProcessSpawner', () => new LocalProcessSpawner(spawnerOptions()), () => makeRequest(), {
  leftovers: (request) => processesWithMarker(request.env['CONTRACT_MARKER'] ?? 'none'),
  killOutOfBand: (handle) => {
    process.kill(-Number(handle['pgid']), 'SIGKILL');
    return Promise.resolve();
  },
});

describe('LocalProcessSpawner', () => {
  const started: { spawner: LocalProcessSpawner; handle: SpawnHandle }[] = [];
  afterEach(async () => {
    for (const { spawner, handle } of started.splice(0)) await spawner.stop(handle, { timeoutSeconds: 1 });
  });

  async function start(spawner: LocalProcessSpawner, request: SpawnRequest) {
    const result = await spawner.start(request, context());
    started.push({ spawner, handle: result.handle });
    return result;
  }

  it('gives the server exactly the expected environment, its own 0700 folder as cwd, the account\'s HOME', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = makeRequest({ LANG: 'C.UTF-8', FROM_REQUEST: 'yes', ADMIN_VAR: 'from-request' });
    const { target, handle } = await start(spawner, request);
    const response = await getWhenUp(`${target}${request.prefix}env`);
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    const workDir = path.join(root, 'users', request.user.name);
    const account = await accountOf(request.user.name);
    expect(body).toEqual({
      cwd: workDir,
      env: {
        PATH: HOST_ENV['PATH'],
        LANG: 'C.UTF-8',
        ...request.env,
        CUDA_VISIBLE_DEVICES: '',
        USER: account.name,
        HOME: account.home,
        SHELL: HOST_ENV['SHELL'] ?? '/bin/sh',
        JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${String(handle['port'])}${request.prefix}`,
        ADMIN_VAR: 'from-admin',
        // Set by the /bin/sh that applies the umask before it execs the server.
        PWD: workDir,
      },
    });
    expect(JSON.stringify(body)).not.toContain(PROXY_SECRET);
    expect((await stat(workDir)).mode & 0o777).toBe(0o700);
    expect((await stat(workDir)).uid).toBe(account.uid);
    expect(target).toBe(`http://127.0.0.1:${String(handle['port'])}`);
  });

  it('runs the server as the leader of its own process group, logging to <logDir>/<user>/<server>.log', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = makeRequest({}, 'gpu');
    const { handle, target } = await start(spawner, request);
    await getWhenUp(`${target}${request.prefix}`);
    const pid = Number(handle['pid']);
    const statText = await readFile(`/proc/${pid}/stat`, 'utf8');
    const pgrp = Number(statText.slice(statText.lastIndexOf(')') + 2).split(' ')[2]);
    expect(pgrp).toBe(pid);
    expect(handle['pgid']).toBe(pid);
    const logPath = path.join(root, 'logs', request.user.name, 'gpu.log');
    expect(handle['logPath']).toBe(logPath);
    expect(await readFile(logPath, 'utf8')).toContain('fixture: listening on 127.0.0.1');
    // The hub's file in the hub's folder: the user's server writes to it through its stdout only.
    expect((await stat(logPath)).mode & 0o777).toBe(0o600);
    expect((await stat(logPath)).uid).toBe(process.getuid?.());
  });

  it('rejects with a SpawnError quoting the log when the process exits while starting', async () => {
    // A window far longer than Python's start-up, so the exit falls inside it however loaded the machine.
    const spawner = new LocalProcessSpawner(spawnerOptions({ initialWindowMs: 60_000 }));
    const request = makeRequest({ FIXTURE_EXIT_CODE: '3' });
    const failure = spawner.start(request, context());
    await expect(failure).rejects.toBeInstanceOf(SpawnError);
    await expect(failure).rejects.toThrow(/exited with code 3 while starting[\s\S]*exiting early as asked/);
  });

  it('rejects with a SpawnError when the command does not exist', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions({ cmd: [path.join(root, 'no-such-command')] }));
    await expect(spawner.start(makeRequest(), context())).rejects.toThrow(/Could not run .*no-such-command/);
  });

  it('refuses a user name that would leave the working-folder template', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = { ...makeRequest(), user: { id: 99, name: '../escape', groups: [] } };
    await expect(spawner.start(request, context())).rejects.toBeInstanceOf(SpawnError);
    expect(existsSync(path.join(root, 'escape'))).toBe(false);
  });

  it('escalates to SIGKILL when the server ignores SIGTERM', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = makeRequest({ FIXTURE_IGNORE_SIGTERM: '1' });
    const { handle, target } = await start(spawner, request);
    await getWhenUp(`${target}${request.prefix}`);
    await spawner.stop(handle, { timeoutSeconds: 0.3 });
    expect(await spawner.poll(handle)).toEqual({ status: 'stopped', exitCode: null });
    expect(await processesWithMarker(request.env['CONTRACT_MARKER'] ?? '')).toBe(0);
  });

  it('polls a handle whose pid now belongs to another process (other start time) as stopped, and stop leaves that process alone', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = makeRequest();
    const { handle, target } = await start(spawner, request);
    await getWhenUp(`${target}${request.prefix}`);
    const recycled = { ...handle, startedAt: Number(handle['startedAt']) - 1 };
    expect(await spawner.poll(recycled)).toMatchObject({ status: 'stopped' });
    await spawner.stop(recycled, { timeoutSeconds: 1 });
    expect(await spawner.poll(handle)).toEqual({ status: 'running' });
  });

  it('servers outlive the hub process that started them; the hub exits without waiting for them', async () => {
    // A separate "hub": the spawner transpiled to plain CommonJS, run by node, which starts one
    // server, prints the result and exits (it would hang if the child kept its event loop alive).
    const out = await transpiledHub(path.join(root, 'hub-js'));
    const request = makeRequest();
    const { hostEnv, ...options } = spawnerOptions();
    const args = [path.join(out, 'hub.js'), JSON.stringify(options), JSON.stringify(request)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: out, env: hostEnv, timeout: 30_000 });
    const result: { handle: SpawnHandle; target: string } = JSON.parse(stdout);
    const spawner = new LocalProcessSpawner(spawnerOptions());
    started.push({ spawner, handle: result.handle });
    expect(await spawner.poll(result.handle)).toEqual({ status: 'running' });
    expect((await getWhenUp(`${result.target}${request.prefix}`)).status).toBe(200);
  });

  (AS_ROOT ? it : it.skip)('a hub that is not root runs every server as its own account (single-person mode), never as root', async () => {
    const person = await resolveAccount({ mode: 'per-user', template: 'chtest-{username}', create: true, minUid: 1000 }, 'single');
    const out = await transpiledHub(path.join(root, 'hub-single'));
    const own = path.join(root, 'single');
    await mkdir(own, { recursive: true });
    await promisify(execFile)('chown', ['-R', `${person.uid}:${person.gid}`, out, own]);
    const request = makeRequest();
    const { hostEnv, ...base } = spawnerOptions();
    const options = { ...base, accounts: { mode: 'single-person' }, workDir: path.join(own, 'work', '{username}'), logDir: path.join(own, 'logs') };
    const args = [path.join(out, 'hub.js'), JSON.stringify(options), JSON.stringify(request)];
    const { stdout } = await promisify(execFile)(
      'setpriv',
      [`--reuid=${person.uid}`, `--regid=${person.gid}`, '--init-groups', '--', process.execPath, ...args],
      { cwd: out, env: { ...hostEnv, HOME: person.home }, timeout: 30_000 },
    );
    const result: { handle: SpawnHandle; target: string } = JSON.parse(stdout);
    const spawner = new LocalProcessSpawner(spawnerOptions());
    started.push({ spawner, handle: result.handle });
    const response = await getWhenUp(`${result.target}${request.prefix}env`);
    const body: unknown = await response.json();
    expect(body).toMatchObject({ env: { USER: person.name, HOME: person.home } });
    expect((await processIdentity(Number(result.handle['pid']))).uid).toBe(person.uid);
  });

  it('polls a handle that is not a local-process handle as stopped', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    expect((await spawner.poll({ fakeServerId: 'x' })).status).toBe('stopped');
    await expect(spawner.stop({}, { timeoutSeconds: 1 })).resolves.toBeUndefined();
  });
});

/** `Uid:` and `Umask:` of a process, from /proc/<pid>/status, and its RLIMIT_DATA from /proc/<pid>/limits. */
async function processIdentity(pid: number): Promise<{ uid: number; gid: number; umask: string; groups: number[]; dataLimit: string }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => status.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '';
  const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
  const data = limits.split('\n').find((l) => l.startsWith('Max data size')) ?? '';
  return {
    uid: Number(field('Uid').split(/\s+/)[0]),
    gid: Number(field('Gid').split(/\s+/)[0]),
    umask: field('Umask'),
    groups: field('Groups').split(/\s+/).filter((g) => g !== '').map(Number),
    dataLimit: data.replace('Max data size', '').trim().split(/\s+/)[0] ?? '',
  };
}

(AS_ROOT ? describe : describe.skip)('LocalProcessSpawner user isolation (hub running as root)', () => {
  const started: { spawner: LocalProcessSpawner; handle: SpawnHandle }[] = [];
  afterEach(async () => {
    for (const { spawner, handle } of started.splice(0)) await spawner.stop(handle, { timeoutSeconds: 1 });
  });

  it('runs the server as the user\'s own account with its groups, umask 077 and the profile\'s memory limit', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = { ...makeRequest(), profile: { slug: 'cpu', displayName: 'CPU', kind: 'cpu' as const, resources: { memory: { limit: '3Gi' } } } };
    const { handle, target } = await spawner.start(request, context());
    started.push({ spawner, handle });
    await getWhenUp(`${target}${request.prefix}`);
    const account = await accountOf(request.user.name);
    const id = await processIdentity(Number(handle['pid']));
    expect(id.uid).toBe(account.uid);
    expect(id.uid).not.toBe(0);
    expect(id.gid).toBe(account.gid);
    expect(id.groups).not.toContain(0);
    expect(id.umask).toBe('0077');
    expect(id.dataLimit).toBe(String(3 * 1024 ** 3));
  });

  it('refuses a user without an account when creating accounts is off, naming the setting', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions({ accounts: { mode: 'per-user', template: 'chnone-{username}', create: false, minUid: 1000 } }));
    const failure = spawner.start(makeRequest(), context());
    await expect(failure).rejects.toBeInstanceOf(SpawnError);
    await expect(failure).rejects.toThrow(/has no Unix account "chnone-user\d+".*spawner\.createSystemUsers/);
  });

  it.each([
    ['root', /as root/],
    ['daemon', /system account "daemon".*spawner\.minUid/],
  ])('refuses to run hub user %j as the Unix account of the same name', async (name, message) => {
    const spawner = new LocalProcessSpawner(spawnerOptions({ accounts: { mode: 'per-user', template: '{username}', create: true, minUid: 1000 } }));
    const request = { ...makeRequest(), user: { id: 500, name, groups: [] } };
    await expect(spawner.start(request, context())).rejects.toThrow(message);
  });

  it('refuses a working folder that belongs to someone else', async () => {
    const spawner = new LocalProcessSpawner(spawnerOptions());
    const request = makeRequest();
    await mkdir(path.join(root, 'users', request.user.name), { recursive: true, mode: 0o700 });
    await expect(spawner.start(request, context())).rejects.toThrow(/belongs to uid 0, not to chtest-user\d+/);
  });

  it('refuses a command the account cannot reach, saying why', async () => {
    const hidden = await mkdtemp(path.join(os.tmpdir(), 'clusterhub-hidden-'));
    try {
      const script = path.join(hidden, 'server');
      await writeFile(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const spawner = new LocalProcessSpawner(spawnerOptions({ cmd: [script] }));
      await expect(spawner.start(makeRequest(), context())).rejects.toThrow(/cannot run .*is not searchable or executable for it.*spawner\.cmd/);
    } finally {
      await rm(hidden, { recursive: true, force: true });
    }
  });
});

describe('LocalProcessSpawner with the real jupyterhub-singleuser', () => {
  let hub: Server | undefined;
  let hubPort = 0;
  let versionChecks = 0;

  beforeAll(async () => {
    if (!existsSync(path.join(VENV_BIN, 'jupyterhub-singleuser'))) {
      await promisify(execFile)('bash', [path.join(REPO_ROOT, 'scripts', 'setup-python.sh')], { timeout: 600_000 });
    }
    // A stand-in hub API: the version check (protocol.md §3.1 step 3) and activity reports.
    hub = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/hub/api') versionChecks += 1;
      const body = req.url === '/hub/api' ? '{"version":"6.1.1"}' : '{}';
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-JupyterHub-Version': '6.1.1' });
      res.end(body);
    });
    await new Promise<void>((resolve) => hub?.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const address = hub.address();
    hubPort = typeof address === 'object' && address !== null ? address.port : 0;
  }, 660_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      hub?.close(() => resolve());
      hub?.closeAllConnections();
    });
  });

  it('starts it with the hub environment; it stays up and serves under its prefix; stop ends it', async () => {
    const spawner = new LocalProcessSpawner(
      spawnerOptions({
        cmd: [path.join(VENV_BIN, 'jupyterhub-singleuser')],
        // Never --allow-root: the server runs as the user's own account.
        args: [],
        hostEnv: { ...HOST_ENV, PATH: `${VENV_BIN}:${HOST_ENV['PATH'] ?? '/usr/bin:/bin'}` },
        environment: {},
      }),
    );
    const api = `http://127.0.0.1:${hubPort}/hub/api`;
    const scopes = JSON.stringify(['access:servers!server=alice/', 'access:servers!user=alice']);
    const request: SpawnRequest = {
      ...makeRequest(),
      user: { id: 1, name: 'alice', groups: [] },
      prefix: '/user/alice/',
      env: {
        JUPYTERHUB_API_TOKEN: 'singleuser-test-token',
        JPY_API_TOKEN: 'singleuser-test-token',
        JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-alice',
        JUPYTERHUB_API_URL: api,
        JUPYTERHUB_ACTIVITY_URL: `${api}/users/alice/activity`,
        JUPYTERHUB_BASE_URL: '/',
        JUPYTERHUB_SERVICE_PREFIX: '/user/alice/',
        JUPYTERHUB_OAUTH_CALLBACK_URL: '/user/alice/oauth_callback',
        JUPYTERHUB_OAUTH_ACCESS_SCOPES: scopes,
        JUPYTERHUB_OAUTH_SCOPES: scopes,
        JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: JSON.stringify(['access:servers!server=alice/']),
        JUPYTERHUB_USER: 'alice',
        JUPYTERHUB_SERVER_NAME: '',
        JUPYTERHUB_HOST: '',
        JUPYTERHUB_PUBLIC_URL: '',
        JUPYTERHUB_PUBLIC_HUB_URL: '',
        JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED: '0',
      },
    };
    const { handle, target } = await spawner.start(request, context());
    try {
      const response = await getWhenUp(`${target}/user/alice/api`, 90_000);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('x-jupyterhub-version')).toBeTruthy();
      expect(versionChecks).toBeGreaterThan(0);
      expect(await spawner.poll(handle)).toEqual({ status: 'running' });
    } finally {
      await spawner.stop(handle, { timeoutSeconds: 15 });
    }
    expect(await spawner.poll(handle)).toEqual({ status: 'stopped', exitCode: null });
  });
});
