/**
 * Runs scheduler commands on the hub's own machine (a node with the Slurm or PBS client), with
 * `child_process.spawn` and no shell: as the user through `sudo -n -u` when configured, or directly
 * when the hub runs as that user.
 */
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { silentSpawnerLogger, type SpawnerLogger } from '../../spawner-logger';
import { commandArgv } from './argv';
import { exitStatus } from './exit-status';
import { CommandRefusedError, SchedulerUnreachableError, type CommandResult, type CommandRunner, type SchedulerCommand } from './types';

/** How long a command may run when it names no timeout. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** After a timeout's SIGTERM (which sudo passes on), how long until SIGKILL. */
const KILL_GRACE_MS = 2_000;

/** What {@link LocalCommandRunner} needs. */
export interface LocalRunnerOptions {
  /** Run commands with an `asUser` through `sudo -n -u`. */
  readonly sudo: boolean;
  /** Absolute folder of the scheduler programs, or `''` for PATH. */
  readonly commandDir: string;
  /** Timeout of commands that name none. */
  readonly defaultTimeoutMs?: number;
  readonly logger?: SpawnerLogger;
}

/**
 * The environment of a scheduler command: the hub's PATH, the C locale and the scheduler's config
 * path if the hub has one, nothing else (no hub secrets, no `SQUEUE_FORMAT` that would change the
 * output the parsers read).
 */
function commandEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' };
  const slurmConf = process.env['SLURM_CONF'];
  if (slurmConf !== undefined) env['SLURM_CONF'] = slurmConf;
  return env;
}

/** A {@link CommandRunner} that spawns the programs on this machine. */
export class LocalCommandRunner implements CommandRunner {
  readonly description: string;
  private readonly self = userInfo().username;
  private readonly logger: SpawnerLogger;
  private closed = false;

  constructor(private readonly opts: LocalRunnerOptions) {
    this.logger = opts.logger ?? silentSpawnerLogger;
    this.description = `local${opts.sudo ? ' (sudo)' : ` as ${this.self}`}`;
  }

  /** Runs `cmd` here; see {@link CommandRunner.run}. */
  async run(cmd: SchedulerCommand): Promise<CommandResult> {
    if (this.closed) throw new CommandRefusedError(`the command runner (${this.description}) is closed`);
    const [file, ...args] = commandArgv(cmd, { sudo: this.opts.sudo, commandDir: this.opts.commandDir, self: this.self });
    if (file === undefined) throw new CommandRefusedError('empty command');
    const timeoutMs = cmd.timeoutMs ?? this.opts.defaultTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const result = await spawnCollect(file, args, cmd.stdin ?? '', timeoutMs);
    this.logger.debug({ program: cmd.program, asUser: cmd.asUser, code: result.code }, 'scheduler command ran locally');
    return result;
  }

  /** Refuses later runs; commands still running finish on their own. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Spawns `file args`, writes `stdin` and closes it, and collects the output until it exits or `timeoutMs` passed. */
function spawnCollect(file: string, args: readonly string[], stdin: string, timeoutMs: number): Promise<CommandResult> {
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: commandEnv() });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      settled = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
      reject(new SchedulerUnreachableError(`${file} did not finish within ${timeoutMs} ms; it was killed and its outcome is unknown`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A program that exits without reading its input closes the pipe: that is not an error here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
    child.on('error', (err) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new SchedulerUnreachableError(`cannot run ${file}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      if (settled) return;
      settled = true;
      resolve({
        code: exitStatus(code, signal),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        host: 'local',
      });
    });
  });
}
