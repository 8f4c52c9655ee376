/**
 * Login nodes for the scheduler command layer's tests: `startLoginNodes(n)` starts n private
 * OpenSSH servers (`sshd -D -f <own config>`) on free 127.0.0.1 ports, each with its own host key,
 * pid file and log, for an operator account `hubop` that logs in with a key generated for this run,
 * and installs a sudoers rule that lets `hubop` run exactly the scheduler programs (and the test
 * probe, see scheduler-probe.ts) as any user but root, without a password. The system sshd is left
 * alone. Needs root. Several jest workers may run this at once: temporary folders and ports are
 * per run, and the shared system state (accounts, sudoers file, probe) is written idempotently.
 * Test tooling.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SCHEDULER_PROGRAMS } from '../../src/spawners/batch/commands/argv';
import { findFreePort } from '../../src/spawners/local-process/free-port';
import { installSchedulerProbe, PROBE_DIR, writeFileIdempotent } from './scheduler-probe';

const run = promisify(execFile);

/** The operator account the hub logs in as. */
export const OPERATOR = 'hubop';
/** Accounts commands are run as. */
export const TARGET_USERS: readonly string[] = ['alice', 'bob'];
/** Where Debian installs the Slurm and Torque-wrapper client programs. */
export const SCHEDULER_DIR = '/usr/bin';
/** The sudoers rule this harness installs. */
export const SUDOERS_FILE = '/etc/sudoers.d/clusterhub-test';
/** System folders searched for sshd, ssh-keygen and the account tools. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** How long an sshd may take to answer on its port. */
const START_DEADLINE_MS = 15_000;

/** One private sshd. */
export interface TestLoginNode {
  /** `127.0.0.1:<port>`, as the runner's host list takes it. */
  readonly host: string;
  readonly port: number;
  /** Its host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). */
  readonly fingerprint: string;
  /** True while its listener runs. */
  readonly running: boolean;
  /** Stops the listener and every session it started (the port then refuses connections). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same host key. */
  start(): Promise<void>;
  /** Ends every SSH session (connection) it serves, from the server side, and keeps listening; resolves to how many. */
  dropConnections(): Promise<number>;
  /**
   * Freezes (SIGSTOP) every process serving its current sessions: the connections go silent
   * without closing, as behind a dead network. New connections are still served;
   * `dropConnections()` or `stop()` ends the frozen ones. Resolves to how many sessions.
   */
  freezeConnections(): Promise<number>;
  /** Everything it logged (`-e`, level INFO), e.g. `Accepted publickey for hubop …` per connection. */
  log(): string;
}

/** What {@link startLoginNodes} started. */
export interface TestLoginNodes {
  readonly nodes: readonly TestLoginNode[];
  /** `127.0.0.1:<port>` of each node, in order. */
  readonly hosts: string[];
  /** Each node's host key fingerprint, in order. */
  readonly hostKeys: string[];
  /** The operator account ({@link OPERATOR}). */
  readonly user: string;
  /** The operator's private key for this run (OpenSSH format). */
  readonly privateKey: string;
  /** Stops every node and removes this run's files. */
  stop(): Promise<void>;
}

/** Runs a system tool with the system PATH. */
function tool(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(file, args, { env: { ...process.env, PATH: SYSTEM_PATH }, timeout: 30_000 });
}

/** True when account `name` exists. */
async function accountExists(name: string): Promise<boolean> {
  try {
    await tool('id', ['-u', name]);
    return true;
  } catch {
    return false;
  }
}

/** Runs an account tool, retrying while another worker holds the passwd/shadow lock. */
async function accountTool(file: string, args: readonly string[], done: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await tool(file, args);
      return;
    } catch (err) {
      if (await done()) return;
      if (attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Creates `name` (with a home and /bin/sh as shell) unless it exists. */
async function ensureAccount(name: string): Promise<void> {
  if (await accountExists(name)) return;
  await accountTool('useradd', ['--create-home', '--user-group', '--shell', '/bin/sh', name], () => accountExists(name));
}

/** The operator's password field: `*` lets key logins in (a locked `!` would make sshd refuse it). */
async function unlockForKeys(name: string): Promise<void> {
  const isStar = async (): Promise<boolean> => (await tool('getent', ['shadow', name])).stdout.split(':')[1] === '*';
  if (await isStar()) return;
  await accountTool('usermod', ['-p', '*', name], isStar);
}

/** The sudoers rule: the operator may run the scheduler programs and the probe as anyone but root. */
function sudoersRule(): string {
  const scheduler = SCHEDULER_PROGRAMS.map((p) => path.posix.join(SCHEDULER_DIR, p)).join(', ');
  const probe = SCHEDULER_PROGRAMS.map((p) => path.posix.join(PROBE_DIR, p)).join(', ');
  return [
    '# clusterhub tests (packages/hub-service/test/harness/login-node.ts): the operator account may run',
    '# the scheduler programs (and the test probe) as any user but root, without a password.',
    `Defaults:${OPERATOR} !requiretty`,
    `Defaults:${OPERATOR} !lecture`,
    `Cmnd_Alias CLUSTERHUB_SCHEDULER = ${scheduler}`,
    `Cmnd_Alias CLUSTERHUB_TEST_PROBE = ${probe}`,
    `${OPERATOR} ALL=(ALL,!root) NOPASSWD: CLUSTERHUB_SCHEDULER, CLUSTERHUB_TEST_PROBE`,
    '',
  ].join('\n');
}

/** Installs {@link sudoersRule} as {@link SUDOERS_FILE} after `visudo -cf` accepted it (unchanged when already there). */
async function installSudoers(scratch: string): Promise<void> {
  const rule = sudoersRule();
  if (existsSync(SUDOERS_FILE) && readFileSync(SUDOERS_FILE, 'utf8') === rule) return;
  const candidate = path.join(scratch, 'sudoers');
  writeFileSync(candidate, rule, { mode: 0o440 });
  await tool('visudo', ['-cf', candidate]);
  writeFileIdempotent(SUDOERS_FILE, rule, 0o440);
}

/** Sets up accounts, the probe and the sudoers rule: the state every run shares. */
async function prepareSystem(scratch: string): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('startLoginNodes needs root (accounts, sudoers, sshd)');
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  await ensureAccount(OPERATOR);
  await unlockForKeys(OPERATOR);
  for (const user of TARGET_USERS) await ensureAccount(user);
  installSchedulerProbe();
  await installSudoers(scratch);
}

/** The `SHA256:…` fingerprint of a public key file, as ssh-keygen prints it. */
async function fingerprintOf(publicKeyFile: string): Promise<string> {
  const { stdout } = await tool('ssh-keygen', ['-lf', publicKeyFile]);
  const fingerprint = stdout.split(' ')[1];
  if (fingerprint === undefined || !fingerprint.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -lf output: ${stdout}`);
  return fingerprint;
}

/** Resolves when something on `port` answers with an SSH banner; rejects when `child` exits first or the deadline passes. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd exited at start: ${log()}`);
    const banner = await new Promise<string>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.setTimeout(2_000);
      sock.once('data', (data: Buffer) => {
        sock.destroy();
        resolve(data.toString('latin1'));
      });
      sock.once('error', () => resolve(''));
      sock.once('timeout', () => {
        sock.destroy();
        resolve('');
      });
    });
    if (banner.startsWith('SSH-')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sshd did not answer on port ${port}: ${log()}`);
}

/** Pids of the processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The field after the command name (which may hold spaces, inside parentheses) is the state, then the parent pid.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** Resolves once `pid` is gone (or after `ms`). */
async function waitGone(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && existsSync(`/proc/${pid}`)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Pids of `pid`'s children, their children, and so on. */
function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let queue = childrenOf(pid); queue.length > 0; ) {
    found.push(...queue);
    queue = queue.flatMap(childrenOf);
  }
  return found;
}

/** Sends `signal` to each of `pids`, ignoring ones already gone. */
function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Ends the sessions of the sshd listening as `listener`: SIGTERM to each session's sshd, then
 * SIGCONT to everything under them (frozen ones included), and waits until those sshds are gone.
 */
async function endSessions(listener: number): Promise<number> {
  const sessions = childrenOf(listener);
  const below = sessions.flatMap(descendantsOf);
  signalAll(sessions, 'SIGTERM');
  signalAll([...sessions, ...below], 'SIGCONT');
  await Promise.all(sessions.map((pid) => waitGone(pid, 5_000)));
  return sessions.length;
}

/** One private sshd listening on `port` of 127.0.0.1. */
class SshdNode implements TestLoginNode {
  private child: ChildProcess | null = null;
  private output = '';
  readonly host: string;

  constructor(
    readonly port: number,
    readonly fingerprint: string,
    private readonly sshd: string,
    private readonly configFile: string,
  ) {
    this.host = `127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.child !== null) return;
    const child = spawn(this.sshd, ['-D', '-e', '-f', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (data: Buffer) => {
      this.output += data.toString('utf8');
    });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    try {
      await waitForBanner(this.port, child, () => this.output);
    } catch (err) {
      child.kill('SIGKILL');
      this.child = null;
      throw err;
    }
  }

  async dropConnections(): Promise<number> {
    const pid = this.child?.pid;
    return pid === undefined ? 0 : endSessions(pid);
  }

  async freezeConnections(): Promise<number> {
    const pid = this.child?.pid;
    if (pid === undefined) return 0;
    const sessions = childrenOf(pid);
    signalAll([...sessions, ...sessions.flatMap(descendantsOf)], 'SIGSTOP');
    return sessions.length;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child?.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    // Sessions first: their sshds are children of the listener and outlive it otherwise.
    await endSessions(child.pid);
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }
}

/** The sshd config of one node. */
function sshdConfig(dir: string, port: number, authorizedKeys: string): string {
  return [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${path.join(dir, 'host_ed25519_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    // The run's folder lies under the world-writable temporary folder, which strict modes refuse.
    'StrictModes no',
    'UsePAM no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    `AllowUsers ${OPERATOR}`,
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PrintMotd no',
    'MaxStartups 100',
    'LogLevel INFO',
    '',
  ].join('\n');
}

/** Creates node `index`'s folder, host key and config, and starts it on a free port (retrying when another process took the port). */
async function startNode(scratch: string, index: number, sshd: string, authorizedKeys: string): Promise<SshdNode> {
  const dir = path.join(scratch, `node${index}`);
  mkdirSync(dir, { mode: 0o700 });
  const hostKey = path.join(dir, 'host_ed25519_key');
  await tool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `clusterhub-test-node${index}`, '-f', hostKey]);
  const fingerprint = await fingerprintOf(`${hostKey}.pub`);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await findFreePort('127.0.0.1');
    const configFile = path.join(dir, 'sshd_config');
    writeFileSync(configFile, sshdConfig(dir, port, authorizedKeys), { mode: 0o600 });
    const node = new SshdNode(port, fingerprint, sshd, configFile);
    try {
      await node.start();
      return node;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * Starts `n` login nodes (see the file comment). Call `stop()` when done.
 *
 * @throws Error when not root, or an sshd does not start.
 */
export async function startLoginNodes(n: number): Promise<TestLoginNodes> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'clusterhub-login-'));
  // The operator reads authorized_keys in here (sshd opens it as that user): let it pass through.
  chmodSync(scratch, 0o711);
  const nodes: SshdNode[] = [];
  try {
    await prepareSystem(scratch);
    const sshd = (await tool('sh', ['-c', 'command -v sshd'])).stdout.trim();
    const keyFile = path.join(scratch, 'hubop_ed25519');
    await tool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'clusterhub-test-operator', '-f', keyFile]);
    const authorized = path.join(scratch, 'authorized_keys');
    writeFileSync(authorized, readFileSync(`${keyFile}.pub`, 'utf8'), { mode: 0o600 });
    const { stdout: uid } = await tool('id', ['-u', OPERATOR]);
    const { stdout: gid } = await tool('id', ['-g', OPERATOR]);
    chownSync(authorized, Number(uid), Number(gid));
    for (let i = 0; i < n; i += 1) nodes.push(await startNode(scratch, i, sshd, authorized));
    return {
      nodes,
      hosts: nodes.map((node) => node.host),
      hostKeys: nodes.map((node) => node.fingerprint),
      user: OPERATOR,
      privateKey: readFileSync(keyFile, 'utf8'),
      stop: async () => {
        await Promise.all(nodes.map((node) => node.stop()));
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
}
