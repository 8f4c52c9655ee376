/**
 * `npx clusterhub …` from the checkout root, as README and the first-start banner tell a new user
 * to run it: the package's `bin` is linked by `npm ci`, runs the built CLI, and the command the
 * banner prints works as printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwdCommand } from '../src/cli/serve';
import { cliChildEnv } from './harness/cli-child';
import { REPO_ROOT } from './harness/repo-paths';

const REPO = REPO_ROOT;
const PACKAGE = join(REPO, 'packages/hub-service');
const COMMAND_LIMIT_MS = 60_000;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}


/** Runs `npx --no <args>` in the checkout root (`--no`: never fetch from a registry). */
function npx(args: string[], input = ''): Promise<Result> {
  const child = spawn('npx', ['--no', ...args], { cwd: REPO, env: cliChildEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(input);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_LIMIT_MS);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

let dir: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', 'packages/shared', 'packages/hub-service'], { cwd: REPO, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'clusterhub-npx-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the clusterhub bin', () => {
  it('is a committed, executable node script that npm links', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    const target = pkg.bin?.clusterhub;
    expect(target).toBeDefined();
    const file = join(PACKAGE, target ?? '');
    expect(readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(() => accessSync(file, constants.X_OK)).not.toThrow();
    expect(() => accessSync(join(REPO, 'node_modules/.bin/clusterhub'), constants.X_OK)).not.toThrow();
  });

  it('`npx -- clusterhub --help` prints the usage', async () => {
    const result = await npx(['--', 'clusterhub', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('clusterhub user passwd NAME');
  });

  it('`npx clusterhub user add|passwd` work from the checkout root', async () => {
    const config = join(dir, 'hub.yaml');
    writeFileSync(config, 'hub:\n  dataDir: npx-data\n  logLevel: warn\n');
    const add = await npx(['clusterhub', 'user', 'add', 'bob', '--config', config]);
    expect(add).toMatchObject({ code: 0 });
    expect(add.stdout).toMatch(/^created bob with password: \S+/);
    const command = passwdCommand('bob', config).split(' ');
    expect(command.slice(0, 4)).toEqual(['npx', 'clusterhub', 'user', 'passwd']);
    const passwd = await npx(command.slice(1));
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toMatch(/^new password of bob: \S+/);
  });
});

describe('the first-start banner command', () => {
  it('quotes what a shell would split and names the config file', () => {
    expect(passwdCommand('admin', null)).toBe('npx clusterhub user passwd admin');
    expect(passwdCommand('admin', 'my hub.yaml')).toBe("npx clusterhub user passwd admin --config 'my hub.yaml'");
    expect(passwdCommand("o'neil", null)).toBe("npx clusterhub user passwd 'o'\\''neil'");
  });
});
