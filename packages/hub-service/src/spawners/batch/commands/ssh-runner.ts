/**
 * Runs scheduler commands on a cluster's login nodes over SSH (ssh2): one connection per login
 * node, reused for every command; the nodes tried in the configured order, with failover to the
 * next when one cannot be reached; the node already connected preferred, so commands stay on one
 * node while it works.
 */
import { isValidAccountName } from '../../local-process/account-name';
import { silentSpawnerLogger, type SpawnerLogger } from '../../spawner-logger';
import { checkCommandDir, commandArgv, shellCommandLine } from './argv';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { DEFAULT_COMMAND_TIMEOUT_MS } from './local-runner';
import { LoginNodeConnection } from './ssh-connection';
import { NotStartedError } from './ssh-exec';
import { checkPrivateKey, parseLoginNodes, parsePinnedKeys } from './ssh-settings';
import { CommandRefusedError, SchedulerUnreachableError, type CommandResult, type CommandRunner, type SchedulerCommand } from './types';

/** OpenSSH's default `MaxSessions`: commands run at once on one connection. */
const DEFAULT_MAX_SESSIONS = 10;

/** What {@link SshCommandRunner} needs. Errors in it name the key (`ssh.hosts[0]`, …). */
export interface SshRunnerOptions {
  /** Run commands with an `asUser` through `sudo -n -u` on the login node. */
  readonly sudo: boolean;
  /** Absolute folder of the scheduler programs on the login nodes, or `''` for the login PATH. */
  readonly commandDir: string;
  /** Login nodes as `host[:port]`, tried in this order. */
  readonly hosts: readonly string[];
  /** The operator account (its login shell must be a POSIX shell). */
  readonly user: string;
  /** The operator's private key (content, unencrypted). */
  readonly privateKey: string;
  /** Pinned host key fingerprints (`SHA256:…` as `ssh-keygen -lf` prints them); without any, every key is refused. */
  readonly hostKeys?: readonly string[];
  /** Limit for connecting (TCP and SSH handshake) to one login node. */
  readonly connectTimeoutMs: number;
  /** SSH keepalive interval (0: none). */
  readonly keepaliveMs: number;
  /** Most commands at once on one connection (default 10, OpenSSH's `MaxSessions`). */
  readonly maxSessions?: number;
  /** Wait before trying a login node again after a failed attempt (default 1 s doubling to 30 s). */
  readonly backoff?: BackoffPolicy;
  /** Timeout of commands that name none. */
  readonly defaultTimeoutMs?: number;
  readonly logger?: SpawnerLogger;
}

/** Checks a positive (or, with `allowZero`, non-negative) whole number of milliseconds. */
function checkMs(value: number, key: string, allowZero: boolean): void {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new Error(`${key} must be a whole number of milliseconds${allowZero ? '' : ' above 0'}, not ${String(value)}`);
  }
}

/** A {@link CommandRunner} over SSH to one or more login nodes. */
export class SshCommandRunner implements CommandRunner {
  readonly description: string;
  private readonly connections: readonly LoginNodeConnection[];
  private readonly logger: SpawnerLogger;
  private closed = false;

  /** @throws Error naming the setting when one is invalid. */
  constructor(private readonly opts: SshRunnerOptions) {
    const nodes = parseLoginNodes(opts.hosts, 'ssh.hosts');
    const pinnedKeys = parsePinnedKeys(opts.hostKeys ?? [], 'ssh.hostKeys');
    if (!isValidAccountName(opts.user)) throw new Error(`ssh.user must be a Unix account name, not ${JSON.stringify(opts.user)}`);
    checkPrivateKey(opts.privateKey, 'ssh.privateKey');
    checkMs(opts.connectTimeoutMs, 'ssh.connectTimeoutMs', false);
    checkMs(opts.keepaliveMs, 'ssh.keepaliveMs', true);
    checkCommandDir(opts.commandDir, 'commandDir');
    const maxSessions = opts.maxSessions ?? DEFAULT_MAX_SESSIONS;
    if (!Number.isInteger(maxSessions) || maxSessions < 1) throw new Error(`ssh.maxSessions must be a whole number above 0, not ${String(maxSessions)}`);
    this.logger = opts.logger ?? silentSpawnerLogger;
    const settings = {
      user: opts.user,
      privateKey: opts.privateKey,
      pinnedKeys,
      connectTimeoutMs: opts.connectTimeoutMs,
      keepaliveMs: opts.keepaliveMs,
      maxSessions,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      logger: this.logger,
    };
    this.connections = nodes.map((node) => new LoginNodeConnection(node, settings));
    this.description = `ssh ${opts.user}@${nodes.map((n) => n.label).join(',')}${opts.sudo ? ' (sudo)' : ''}`;
  }

  /**
   * Runs `cmd` on the first login node that can run it; see {@link CommandRunner.run}. A node
   * that was connected but dropped is reconnected once before the next node is tried.
   */
  async run(cmd: SchedulerCommand): Promise<CommandResult> {
    if (this.closed) throw new CommandRefusedError(`the command runner (${this.description}) is closed`);
    const line = shellCommandLine(commandArgv(cmd, { sudo: this.opts.sudo, commandDir: this.opts.commandDir, self: this.opts.user }));
    const timeoutMs = cmd.timeoutMs ?? this.opts.defaultTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const reasons: string[] = [];
    for (const connection of this.order()) {
      const tries = connection.connected ? 2 : 1;
      for (let i = 0; i < tries; i += 1) {
        try {
          const result = await connection.exec(line, cmd.stdin ?? '', timeoutMs);
          this.logger.debug({ program: cmd.program, asUser: cmd.asUser, host: result.host, code: result.code }, 'scheduler command ran');
          return result;
        } catch (err) {
          if (!(err instanceof NotStartedError)) throw err;
          if (!reasons.includes(err.message)) reasons.push(err.message);
        }
      }
    }
    throw new SchedulerUnreachableError(`no login node could run ${cmd.program}: ${reasons.join('; ')}`);
  }

  /** Ends every connection; later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.connections.map((c) => c.close()));
  }

  /** Connected nodes first, then the others, each group in the configured order. */
  private order(): readonly LoginNodeConnection[] {
    return [...this.connections.filter((c) => c.connected), ...this.connections.filter((c) => !c.connected)];
  }
}
