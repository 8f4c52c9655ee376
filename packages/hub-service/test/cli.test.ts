/**
 * The `clusterhub` command as a user runs it: the built `lib/cli/main.js` in a child process.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openStore } from '../src/store/open';
import { verifyPassword } from '../src/authenticators/local/password';
import { BrowserClient } from './harness/http-client';
import { cliChildEnv } from './harness/cli-child';
import { REPO_ROOT } from './harness/repo-paths';

const REPO = REPO_ROOT;
const MAIN = join(REPO, 'packages/hub-service/lib/cli/main.js');
/** Longest a CLI command or a hub start/stop may take before the test gives up on it. */
const COMMAND_LIMIT_MS = 60_000;

interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}


const children = new Set<ChildProcess>();

function launch(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: REPO, env: cliChildEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Runs the CLI to completion (killed after {@link COMMAND_LIMIT_MS}), feeding `input` on stdin. */
function cli(args: string[], input?: string): Promise<Result> {
  const child = launch(args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin?.end(input ?? '');
  return new Promise((done, fail) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_LIMIT_MS);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** A running `clusterhub serve`: its output so far and helpers to wait on it. */
class ServeProcess {
  stdout = '';
  stderr = '';
  private readonly exited: Promise<Result>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((done) => child.on('close', (code, signal) => done({ code, signal, stdout: this.stdout, stderr: this.stderr })));
  }

  /** Resolves with the hub URL once it says it runs; rejects if it exits first or takes too long. */
  async running(): Promise<string> {
    const deadline = Date.now() + COMMAND_LIMIT_MS;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (Date.now() < deadline && !exited) {
      const match = /clusterhub is running at (http:\/\/\S+)\/hub\//.exec(this.stdout);
      if (match?.[1]) return match[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`serve did not start:\n${this.stdout}\n${this.stderr}`);
  }

  /** Sends SIGINT and waits (bounded) for the exit. */
  async interrupt(): Promise<Result> {
    this.child.kill('SIGINT');
    return this.exit();
  }

  /** Waits (bounded) for the process to end; kills it when it does not. */
  async exit(): Promise<Result> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<null>((r) => (timer = setTimeout(() => r(null), COMMAND_LIMIT_MS)));
    const result = await Promise.race([this.exited, limit]);
    clearTimeout(timer);
    if (result === null) {
      this.child.kill('SIGKILL');
      throw new Error('serve did not exit in time');
    }
    return result;
  }
}

let dir: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', 'packages/shared', 'packages/hub-service'], { cwd: REPO, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-cli-'));
});

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('clusterhub check-config', () => {
  it('a valid file: exit 0 with a summary', async () => {
    const file = writeConfig('ok.yaml', 'hub:\n  public: { port: 8123 }\n  dataDir: ok-data\n');
    const result = await cli(['check-config', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`config OK: ${file}`);
    expect(result.stdout).toContain('hub: public http://127.0.0.1:8123/');
    expect(result.stdout).toContain(`data: ${join(dir, 'ok-data')}`);
    expect(result.stdout).toContain('profiles: 5');
    expect(result.stderr).toBe('');
  });

  it('an unknown key: exit 2 naming the section and the key', async () => {
    const result = await cli(['check-config', writeConfig('wrong-key.yaml', 'hub: { publik: 1 }\n')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\bhub\b/);
    expect(result.stderr).toContain('"publik"');
    expect(result.stdout).toBe('');
  });

  it('a value out of range: exit 2 naming the key path', async () => {
    const result = await cli(['check-config', writeConfig('wrong-value.yaml', 'hub:\n  public:\n    port: 70000\n')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hub.public.port');
  });

  it('a missing file: exit 2', async () => {
    const result = await cli(['check-config', join(dir, 'absent.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot read');
  });
});

describe('clusterhub usage', () => {
  it('no arguments: usage and exit 2', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(`${result.stdout}${result.stderr}`).toContain('usage:');
  });

  it('an unknown command or sub-command: usage and exit 2', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const config = writeConfig('usage.yaml', 'hub: { dataDir: usage-data }\n');
    const result = await cli(['user', 'rename', 'x', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage:');
  });

  it('--help: usage and exit 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('clusterhub serve');
  });
});

describe('clusterhub user', () => {
  let config: string;
  const dataDir = (): string => join(dir, 'users-data');

  beforeAll(() => {
    config = writeConfig('users.yaml', 'hub: { dataDir: users-data, logLevel: warn }\n');
  });

  async function storedPasswordOk(name: string, password: string): Promise<boolean> {
    const store = await openStore({ kind: 'sqlite', path: join(dataDir(), 'clusterhub.sqlite') });
    try {
      const account = await store.accounts.get(name);
      return account !== null && (await verifyPassword(password, account.passwordHash));
    } finally {
      await store.close();
    }
  }

  async function list(): Promise<string[]> {
    const result = await cli(['user', 'list', '--config', config]);
    expect(result.code).toBe(0);
    return result.stdout.split('\n').filter((l) => l !== '');
  }

  it('add with the password on stdin, then list shows the user', async () => {
    const result = await cli(['user', 'add', 'bob', '--password-stdin', '--config', config], 'bobs-password-1\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('created bob\n');
    expect(result.stdout).not.toContain('bobs-password-1');
    expect(await list()).toEqual(['bob']);
    expect(await storedPasswordOk('bob', 'bobs-password-1')).toBe(true);
  });

  it('add without a password prints a generated one; --admin is kept', async () => {
    const result = await cli(['user', 'add', 'carol', '--admin', '--config', config]);
    expect(result.code).toBe(0);
    const password = /created carol with password: (\S+)/.exec(result.stdout)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(8);
    expect(await storedPasswordOk('carol', password)).toBe(true);
    expect(await list()).toEqual(['bob', 'carol\tadmin']);
  });

  it('adding an existing user: exit 1 "already exists", nothing changed', async () => {
    const result = await cli(['user', 'add', 'bob', '--admin', '--password-stdin', '--config', config], 'another-password\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists');
    expect(await list()).toEqual(['bob', 'carol\tadmin']);
    expect(await storedPasswordOk('bob', 'bobs-password-1')).toBe(true);
    expect(await storedPasswordOk('bob', 'another-password')).toBe(false);
  });

  it('a too short password: exit 1, no user created', async () => {
    const result = await cli(['user', 'add', 'dave', '--password-stdin', '--config', config], 'short\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('at least 8');
    expect(await list()).toEqual(['bob', 'carol\tadmin']);
  });

  it('passwd changes the password', async () => {
    const result = await cli(['user', 'passwd', 'bob', '--password-stdin', '--config', config], 'bobs-new-password\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('password of bob changed\n');
    expect(await storedPasswordOk('bob', 'bobs-new-password')).toBe(true);
    expect(await storedPasswordOk('bob', 'bobs-password-1')).toBe(false);
  });

  it('passwd of an unknown user: exit 1', async () => {
    const result = await cli(['user', 'passwd', 'ghost', '--password-stdin', '--config', config], 'whatever-password\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ghost');
  });

  it('delete removes the user; deleting again is exit 1', async () => {
    const result = await cli(['user', 'delete', 'bob', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('deleted bob\n');
    expect(await list()).toEqual(['carol\tadmin']);
    expect((await cli(['user', 'delete', 'bob', '--config', config])).code).toBe(1);
  });

  it('a sub-command without a name: usage, exit 2', async () => {
    expect((await cli(['user', 'add', '--config', config])).code).toBe(2);
  });
});

describe('clusterhub serve', () => {
  const serveConfig = (name: string): string =>
    writeConfig(`${name}.yaml`, [
      'hub:',
      '  public: { ip: 127.0.0.1, port: 0 }',
      '  internal: { ip: 127.0.0.1, port: 0 }',
      `  dataDir: ${name}-data`,
      '  logLevel: warn',
      '',
    ].join('\n'));

  it('first start prints the generated admin password once, answers /hub/api, stops on SIGINT with exit 0', async () => {
    const config = serveConfig('serve');
    const first = new ServeProcess(launch(['serve', '--config', config]));
    const url = await first.running();
    const passwords = [...first.stdout.matchAll(/created admin account "admin" with password\s+(\S+)/g)].map((m) => m[1] ?? '');
    expect(passwords).toHaveLength(1);
    const password = passwords[0] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(8);
    expect(first.stdout.split(password)).toHaveLength(2);

    const api = await fetch(`${url}/hub/api`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ version: expect.any(String) as string });
    // The printed password is the admin's.
    const browser = new BrowserClient();
    const login = await browser.login(url, 'admin', password);
    expect(login.status).toBe(200);
    expect(new URL(login.url).pathname).toBe('/hub/home');

    const stopped = await first.interrupt();
    expect(stopped).toMatchObject({ code: 0, signal: null });
    await expect(fetch(`${url}/hub/api`)).rejects.toThrow();

    const second = new ServeProcess(launch(['serve', '--config', config]));
    const url2 = await second.running();
    expect(second.stdout).not.toContain('First start');
    expect(second.stdout).not.toContain(password);
    expect((await fetch(`${url2}/hub/api`)).status).toBe(200);
    expect(await second.interrupt()).toMatchObject({ code: 0, signal: null });
  });

  it('a first start that cannot listen still shows the admin password it created', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (busy.address() as AddressInfo).port;
      const config = writeConfig('serve-busy.yaml', `hub:\n  public: { port: 0 }\n  internal: { port: ${port} }\n  dataDir: serve-busy-data\n  logLevel: warn\n`);
      const result = await new ServeProcess(launch(['serve', '--config', config])).exit();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('EADDRINUSE');
      const password = /created admin account "admin" with password\s+(\S+)/.exec(result.stdout)?.[1] ?? '';
      const store = await openStore({ kind: 'sqlite', path: join(dir, 'serve-busy-data', 'clusterhub.sqlite') });
      try {
        const account = await store.accounts.get('admin');
        expect(account !== null && (await verifyPassword(password, account.passwordHash))).toBe(true);
      } finally {
        await store.close();
      }
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });

  it('a bad config: exit 2 naming the key, nothing started', async () => {
    const config = writeConfig('serve-bad.yaml', 'hub:\n  dataDir: serve-bad-data\n  public: { port: 0 }\n  publik: 1\n');
    const result = await new ServeProcess(launch(['serve', '--config', config])).exit();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"publik"');
    expect(result.stdout).not.toContain('clusterhub is running');
    expect(existsSync(join(dir, 'serve-bad-data'))).toBe(false);
  });

  it('a database written by a newer clusterhub: exit 1 with the versions, nothing started', async () => {
    const config = writeConfig('serve-newer.yaml', 'hub:\n  dataDir: serve-newer-data\n  public: { port: 0 }\n  internal: { port: 0 }\n');
    expect((await cli(['user', 'list', '--config', config])).code).toBe(0);
    const db = new Database(join(dir, 'serve-newer-data', 'clusterhub.sqlite'));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '2030-01-01T00:00:00.000Z')").run();
    db.close();
    const result = await new ServeProcess(launch(['serve', '--config', config])).exit();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('version 99, newer than this clusterhub understands');
    expect(result.stdout).not.toContain('clusterhub is running');
  });
});
