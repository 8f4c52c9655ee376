/**
 * The scheduler command layer: {@link createCommandRunner} builds the runner a batch backend's
 * config asks for (SSH to login nodes, or this machine).
 */
import type { SpawnerLogger } from '../../spawner-logger';
import { checkCommandDir } from './argv';
import { LocalCommandRunner } from './local-runner';
import { SshCommandRunner } from './ssh-runner';
import type { CommandRunner } from './types';

export { SCHEDULER_PROGRAMS, isSchedulerProgram } from './argv';
export { CommandRefusedError, SchedulerUnreachableError } from './types';
export type { CommandResult, CommandRunner, SchedulerCommand, SchedulerProgram } from './types';

/** Where and how scheduler commands run. */
export interface CommandRunnerOptions {
  /** `ssh`: on login nodes over SSH; `local`: on the hub's machine. */
  readonly transport: 'ssh' | 'local';
  /** Run commands as the user through `sudo -n -u <user>`; otherwise as the runner's own account. */
  readonly sudo: boolean;
  /** Absolute folder of the scheduler programs (e.g. `/usr/bin`), or `''` to look them up in PATH. */
  readonly commandDir: string;
  /** Required for `ssh`. */
  readonly ssh?: {
    /** Login nodes as `host[:port]`, tried in order. */
    readonly hosts: string[];
    /** The operator account. */
    readonly user: string;
    /** The operator's private key (content). */
    readonly privateKey: string;
    /** Pinned host key fingerprints, `SHA256:…`. */
    readonly hostKeys?: string[];
    readonly connectTimeoutMs: number;
    readonly keepaliveMs: number;
    /** Most commands at once on one connection; at most the login nodes' `MaxSessions` (default 10, OpenSSH's default). */
    readonly maxSessions?: number;
  };
  readonly logger?: SpawnerLogger;
}

/**
 * The runner for `opts`.
 *
 * @throws Error naming the setting (`ssh.hosts[1]`, `commandDir`, …) when one is missing or invalid.
 */
export function createCommandRunner(opts: CommandRunnerOptions): CommandRunner {
  checkCommandDir(opts.commandDir, 'commandDir');
  if (opts.transport === 'local') {
    return new LocalCommandRunner({ sudo: opts.sudo, commandDir: opts.commandDir, logger: opts.logger });
  }
  if (opts.ssh === undefined) throw new Error('ssh must be set when the transport is ssh');
  return new SshCommandRunner({ sudo: opts.sudo, commandDir: opts.commandDir, ...opts.ssh, logger: opts.logger });
}
