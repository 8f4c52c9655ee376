import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, chown, lstat, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { SpawnError } from '../spawner';
import type { PollResult, ServerLogRef, SpawnContext, SpawnHandle, SpawnRequest, SpawnResult, Spawner } from '../spawner';
import { abortError } from '../abort';
import { silentSpawnerLogger } from '../spawner-logger';
import type { SpawnerLogger } from '../spawner-logger';
import { localProcessLimits } from '@clusterhub/shared';
import { resolveAccount } from './accounts';
import type { AccountPolicy, RunAsAccount } from './accounts';
import { buildLocalProcessEnv, formatServiceUrl, formatTarget } from './env';
import { launchArgv, unreachableAncestor } from './launch';
import { findFreePort } from './free-port';
import { parseLocalProcessHandle, toSpawnHandle } from './handle';
import type { LocalProcessHandle } from './handle';
import { openLog, readLogTail } from './log-file';
import { expandWorkDir, logFilePath } from './paths';
import { readProcStat } from './proc-stat';
import { checkProcess, groupExists, signalGroup, waitUntilGone } from './process-control';

/** Options of {@link LocalProcessSpawner}; most mirror `spawner.*` in the config. Plain data. */
export interface LocalProcessSpawnerOptions {
  /** Command and its leading arguments, e.g. `['jupyterhub-singleuser']`; run without a shell. */
  readonly cmd: readonly string[];
  /** Arguments appended to `cmd`. */
  readonly args: readonly string[];
  /** Address the servers listen on. */
  readonly ip: string;
  /** Working folder of each server: a template with `{home}`, `{account}` or `{username}` (see paths.ts). */
  readonly workDir: string;
  /** Which Unix account each user's server runs as (see accounts.ts). */
  readonly accounts: AccountPolicy;
  /** The hub's own folder for server logs (inside the data folder, 0700, never the user's). */
  readonly logDir: string;
  /** Names of the hub's environment variables the servers inherit. */
  readonly envKeep: readonly string[];
  /** The hub's environment `envKeep` reads from; default `process.env`. */
  readonly hostEnv?: NodeJS.ProcessEnv;
  /** The admin's `spawner.environment`, applied last (it overrides everything). */
  readonly environment?: Readonly<Record<string, string>>;
  /** `SHELL` of the servers; default the hub's `SHELL`, else `/bin/sh`. */
  readonly shell?: string;
  /** Where launches, stops and forced kills are logged; default: nowhere. */
  readonly logger?: SpawnerLogger;
  /** Picks the port of a new server; default: a port free on `ip` (bind 0, read back, close). */
  readonly portFinder?: () => Promise<number>;
  /** How long a new process must stay up before `start` resolves, in ms; default 300. */
  readonly initialWindowMs?: number;
  /** Grace given to a process on an aborted start before it is killed, in seconds; default 2. */
  readonly abortGraceSeconds?: number;
}

/** How long `stop` waits for the process to go after SIGKILL, in ms. */
const KILL_WAIT_MS = 5000;
/** Lines of the log quoted when a process dies while starting. */
const LOG_TAIL_LINES = 20;

type WindowOutcome =
  | { readonly kind: 'up' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: NodeJS.Signals | null };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves once the child is running; rejects with the spawn error (e.g. ENOENT). */
function whenSpawned(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      child.off('spawn', onSpawn);
      reject(error);
    };
    const onSpawn = (): void => {
      child.off('error', onError);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}

/**
 * Runs each server as a local process of the user's own Unix account (when the hub is root; the
 * hub's own account in single-person mode, never root), in its own process group, with umask 077,
 * the profile's memory limit per process, GPUs hidden from CPU profiles, `HOME` the account's home
 * and the working folder from `workDir`; stdout and stderr go to `<logDir>/<user>/<server>.log`,
 * which the hub owns. Servers survive a hub restart; the handle (pid, start time, port) lets the
 * next hub poll and stop them. Linux only: it reads `/proc` and uses util-linux's `setpriv` and
 * `prlimit`.
 */
export class LocalProcessSpawner implements Spawner {
  readonly kind = 'local-process';
  private readonly log: SpawnerLogger;
  private readonly hostEnv: NodeJS.ProcessEnv;
  private readonly portFinder: () => Promise<number>;

  /** How hub users map onto Unix accounts (per-user when the hub is root, else single-person). */
  get accountPolicy(): AccountPolicy {
    return this.options.accounts;
  }

  constructor(private readonly options: LocalProcessSpawnerOptions) {
    this.log = options.logger ?? silentSpawnerLogger;
    this.hostEnv = options.hostEnv ?? process.env;
    this.portFinder = options.portFinder ?? (() => findFreePort(options.ip));
  }

  /**
   * Launches the server and resolves once it has stayed up for the initial window.
   *
   * @throws SpawnError when the folder, the port or the process cannot be had, or the process exits
   *   during the initial window (the message quotes the end of its log).
   * @throws Error named `AbortError` when `ctx.signal` fires; a launched process is stopped first.
   */
  async start(request: SpawnRequest, ctx: SpawnContext): Promise<SpawnResult> {
    const { signal } = ctx;
    const [command, ...leading] = this.options.cmd;
    if (command === undefined) throw new SpawnError('No command to run: spawner.cmd is empty.');
    if (signal.aborted) throw abortError(signal);

    let account: RunAsAccount;
    let workDir: string;
    try {
      account = await resolveAccount(this.options.accounts, request.user.name);
      workDir = expandWorkDir(this.options.workDir, { username: request.user.name, account: account.name, home: account.home });
    } catch (error: unknown) {
      throw new SpawnError(messageOf(error));
    }
    await this.prepareWorkDir(workDir, account);
    await this.checkReachable(command, account);
    const logPath = logFilePath(this.options.logDir, request.user.name, request.server.name);
    try {
      await mkdir(path.dirname(logPath), { recursive: true, mode: 0o700 });
    } catch (error: unknown) {
      throw new SpawnError(`Could not create the log folder ${path.dirname(logPath)}: ${messageOf(error)}`);
    }
    if (signal.aborted) throw abortError(signal);

    let port: number;
    try {
      port = await this.portFinder();
    } catch (error: unknown) {
      throw new SpawnError(`No free port on ${this.options.ip}: ${messageOf(error)}`);
    }
    if (signal.aborted) throw abortError(signal);

    const limits = localProcessLimits(request.profile);
    const env = buildLocalProcessEnv({
      hostEnv: this.hostEnv,
      envKeep: this.options.envKeep,
      requestEnv: { ...request.env, ...limits.env },
      user: account.name,
      home: account.home,
      shell: this.options.shell ?? this.hostEnv['SHELL'] ?? '/bin/sh',
      serviceUrl: formatServiceUrl(this.options.ip, port, request.prefix),
      environment: this.options.environment ?? {},
    });
    const launch = launchArgv({ command, args: [...leading, ...this.options.args], account, dataLimitBytes: limits.dataLimitBytes });
    const { child, pid, startOffset } = await this.launch({ command, file: launch.file, argv: launch.args, workDir, env, logPath });
    const exited = new Promise<WindowOutcome>((resolve) => {
      child.once('exit', (code, exitSignal) => resolve({ kind: 'exited', code, signal: exitSignal }));
    });

    let startedAt: number | undefined;
    try {
      startedAt = (await readProcStat(pid)).startTime;
    } catch {
      // It already exited: the window below sees the exit.
    }
    ctx.onProgress({ progress: 20, message: 'Starting process…' });
    const outcome = await this.initialWindow(exited, signal);

    if (outcome.kind === 'exited') {
      this.killLeftovers(pid);
      const tail = await readLogTail(logPath, startOffset, LOG_TAIL_LINES);
      const how = outcome.signal !== null ? `on signal ${outcome.signal}` : `with code ${String(outcome.code)}`;
      this.log.warn({ pid, code: outcome.code, signal: outcome.signal, logPath }, 'local server exited while starting');
      throw new SpawnError(`The server process exited ${how} while starting.${tail ? `\nLast output:\n${tail}` : ''}`);
    }
    if (startedAt === undefined) {
      // Running, yet /proc did not show it: it could not be polled later, so do not keep it.
      await this.killChild(pid, exited);
      if (outcome.kind === 'aborted') throw abortError(signal);
      throw new SpawnError(`Could not read the state of process ${pid} from /proc.`);
    }
    const handle: LocalProcessHandle = { pid, pgid: pid, port, ip: this.options.ip, startedAt, logPath };
    if (outcome.kind === 'aborted') {
      await this.stopProcess(handle, this.options.abortGraceSeconds ?? 2);
      throw abortError(signal);
    }
    child.removeAllListeners('exit');
    child.unref();
    this.log.info({ pid, port, user: request.user.name, account: account.name, server: request.server.name, logPath }, 'local server launched');
    return { handle: toSpawnHandle(handle), target: formatTarget(this.options.ip, port) };
  }

  /** `running` while the recorded process lives; `stopped` once it is gone or its pid was reused. */
  /** The end of `<logDir>/<user>/<server>.log` (the handle's log path once launched): every start appends to it. */
  async logTail(server: ServerLogRef, maxLines: number): Promise<string> {
    const parsed = server.handle === null ? null : parseLocalProcessHandle(server.handle);
    return readLogTail(parsed?.logPath ?? logFilePath(this.options.logDir, server.user, server.server), 0, maxLines);
  }

  async poll(handle: SpawnHandle): Promise<PollResult> {
    const parsed = parseLocalProcessHandle(handle);
    if (parsed === null) return { status: 'stopped', exitCode: null, message: 'not a local-process handle' };
    return checkProcess(parsed);
  }

  /**
   * SIGTERM to the server's process group, up to `timeoutSeconds` for it to go, then SIGKILL. A
   * server already gone (or whose pid now belongs to another process) is left alone.
   *
   * @throws Error when `/proc` cannot tell whether the process is the server, or when it is still
   *   there after SIGKILL.
   */
  async stop(handle: SpawnHandle, opts: { timeoutSeconds: number }): Promise<void> {
    const parsed = parseLocalProcessHandle(handle);
    if (parsed === null) return;
    await this.stopProcess(parsed, opts.timeoutSeconds);
  }

  private async stopProcess(handle: LocalProcessHandle, timeoutSeconds: number): Promise<void> {
    const state = await checkProcess(handle);
    if (state.status === 'stopped') return;
    if (state.status === 'unknown') throw new Error(`cannot stop process ${handle.pid}: ${state.message}`);
    signalGroup(handle.pgid, handle.pid, 'SIGTERM');
    if (!(await waitUntilGone(handle, Math.max(0, timeoutSeconds) * 1000))) {
      this.log.warn({ pid: handle.pid, timeoutSeconds }, 'local server ignored SIGTERM; sending SIGKILL');
      signalGroup(handle.pgid, handle.pid, 'SIGKILL');
      if (!(await waitUntilGone(handle, KILL_WAIT_MS))) {
        throw new Error(`process ${handle.pid} is still there after SIGKILL`);
      }
    }
    this.killLeftovers(handle.pgid);
    this.log.info({ pid: handle.pid }, 'local server stopped');
  }

  /** Kills our own child (and its group) and waits, bounded, for its exit event. */
  private async killChild(pid: number, exited: Promise<unknown>): Promise<void> {
    signalGroup(pid, pid, 'SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, KILL_WAIT_MS);
    });
    await Promise.race([exited, timeout]);
    clearTimeout(timer);
  }

  /** SIGKILLs what is left of a process group whose leader is gone (e.g. kernels it started). */
  private killLeftovers(pgid: number): void {
    if (!groupExists(pgid)) return;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch (error: unknown) {
      this.log.debug({ pgid, error: messageOf(error) }, 'could not kill the rest of the process group');
    }
  }

  /**
   * Makes sure the working folder exists and belongs to the account: a missing one is created
   * (0700, owned by the account; missing parents 0755, owned by the hub); an existing one must be a
   * real folder (not a link) owned by the account, so a server never starts in someone else's files.
   */
  private async prepareWorkDir(workDir: string, account: RunAsAccount): Promise<void> {
    try {
      const st = await lstat(workDir).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      });
      if (st === null) {
        await this.makeParents(path.dirname(workDir));
        await mkdir(workDir, { mode: 0o700 });
        await chmod(workDir, 0o700);
        if (account.switchUser) await chown(workDir, account.uid, account.gid);
      } else if (!st.isDirectory()) {
        throw new SpawnError(`The working folder ${workDir} is not a folder.`);
      } else if (account.switchUser && st.uid !== account.uid) {
        throw new SpawnError(`The working folder ${workDir} belongs to uid ${st.uid}, not to ${account.name} (uid ${account.uid}); check spawner.workDir.`);
      }
    } catch (error: unknown) {
      if (error instanceof SpawnError) throw error;
      throw new SpawnError(`Could not prepare the working folder ${workDir}: ${messageOf(error)}`);
    }
    const blocked = await unreachableAncestor(workDir, account);
    if (blocked !== null) {
      throw new SpawnError(`The account ${account.name} cannot reach its working folder ${workDir}: ${blocked} is not searchable for it; check spawner.workDir.`);
    }
  }

  /** Creates missing parent folders 0755 (the hub's), so each account can pass through to its own folder. */
  private async makeParents(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let current = dir; ; current = path.dirname(current)) {
      const exists = await lstat(current).then(
        () => true,
        () => false,
      );
      if (exists || path.dirname(current) === current) break;
      missing.unshift(current);
    }
    for (const folder of missing) {
      await mkdir(folder, { mode: 0o755 });
      await chmod(folder, 0o755);
    }
  }

  /** Refuses a start whose command the account could not run (e.g. a venv inside root's home). */
  private async checkReachable(command: string, account: RunAsAccount): Promise<void> {
    if (!path.isAbsolute(command)) return;
    let blocked: string | null;
    try {
      await access(command, fsConstants.X_OK);
      blocked = await unreachableAncestor(command, account, true);
    } catch (error: unknown) {
      throw new SpawnError(`Could not run ${command}: ${messageOf(error)}`);
    }
    if (blocked !== null) {
      throw new SpawnError(`The account ${account.name} cannot run ${command}: ${blocked} is not searchable or executable for it. Install the server's Python environment where every user can read it (spawner.cmd).`);
    }
  }

  private async launch(spec: {
    command: string;
    file: string;
    argv: readonly string[];
    workDir: string;
    env: Record<string, string>;
    logPath: string;
  }): Promise<{ child: ChildProcess; pid: number; startOffset: number }> {
    const header = `[clusterhub] ${new Date().toISOString()} starting ${[spec.file, ...spec.argv].join(' ')}`;
    let log: Awaited<ReturnType<typeof openLog>>;
    try {
      log = await openLog(spec.logPath, header);
    } catch (error: unknown) {
      throw new SpawnError(`Could not open the log file ${spec.logPath}: ${messageOf(error)}`);
    }
    try {
      const child = spawn(spec.file, spec.argv, {
        cwd: spec.workDir,
        env: spec.env,
        detached: true,
        stdio: ['ignore', log.file.fd, log.file.fd],
      });
      await whenSpawned(child);
      const { pid } = child;
      if (pid === undefined) throw new Error('no process id');
      // The spawner signals by pid, never through `child`, so later errors are not expected; log them.
      child.on('error', (error) => this.log.warn({ pid, error: error.message }, 'local server process error'));
      return { child, pid, startOffset: log.startOffset };
    } catch (error: unknown) {
      throw new SpawnError(`Could not run ${spec.command}: ${messageOf(error)}`);
    } finally {
      await log.file.close();
    }
  }

  private initialWindow(exited: Promise<WindowOutcome>, signal: AbortSignal): Promise<WindowOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const up = new Promise<WindowOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'up' }), this.options.initialWindowMs ?? 300);
    });
    const aborted = new Promise<WindowOutcome>((resolve) => {
      onAbort = () => resolve({ kind: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return Promise.race([exited, aborted, up]).finally(() => {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    });
  }
}
