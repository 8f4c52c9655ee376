/**
 * The scheduler command layer's contract: which programs the hub may run on a cluster, how a
 * command is described, and what running it gives back. The Slurm and PBS dialects build
 * {@link SchedulerCommand}s; a {@link CommandRunner} (over SSH to a login node, or on the hub's own
 * machine) runs them, as the user through `sudo -u` where configured.
 */

/**
 * Programs the hub may run on a cluster; the site's sudoers rule allows exactly these. `srun` only
 * ever runs nvidia-smi in a step of the user's own job (GPU metrics, docs/gpu-metrics.md).
 */
export type SchedulerProgram = 'sbatch' | 'squeue' | 'scancel' | 'scontrol' | 'sacct' | 'sinfo' | 'sacctmgr' | 'srun' | 'qsub' | 'qstat' | 'qdel';

/** One run of a scheduler program. */
export interface SchedulerCommand {
  /** The program, looked up in the runner's command folder (never through PATH of a shell). */
  readonly program: SchedulerProgram;
  /** Its arguments, each passed as one literal argument (no shell ever interprets them). */
  readonly args: readonly string[];
  /** The Unix account to run it as (through `sudo -n -u` when the runner uses sudo); omitted: the runner's own account. */
  readonly asUser?: string;
  /** Written to the program's standard input, which is then closed (e.g. a job script for `sbatch`). */
  readonly stdin?: string;
  /** Give up after this long (the runner's default when omitted); a timed-out command rejects with {@link SchedulerUnreachableError}. */
  readonly timeoutMs?: number;
}

/** What a program that ran gave back. A non-zero exit status is a normal result, not an exception. */
export interface CommandResult {
  /** Exit status; `128 + n` when a signal `n` ended it. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Where it ran: the login node's `host:port`, or `local`. */
  readonly host: string;
}

/** Runs scheduler commands somewhere (a login node over SSH, the hub's machine). */
export interface CommandRunner {
  /**
   * Runs one command and resolves with its result, whatever its exit status.
   *
   * @throws CommandRefusedError when the command itself is refused before anything runs: a program
   *   outside the list, an invalid account name, an argument with NUL, a runner already closed.
   * @throws SchedulerUnreachableError when it could not be run, or its outcome is unknown.
   */
  run(cmd: SchedulerCommand): Promise<CommandResult>;
  /** Ends connections and kills nothing that already finished; later runs are refused. */
  close(): Promise<void>;
  /** Where commands go, for logs and errors, e.g. `ssh hubop@login1:22,login2:22 (sudo)`. */
  readonly description: string;
}

/** No login node could run the command at all (connect/auth/host-key failure, timeout): the state is unknown, never "stopped". */
export class SchedulerUnreachableError extends Error {
  override readonly name: string = 'SchedulerUnreachableError';
}

/** A command refused before anything ran (a program outside the list, a bad account name or argument). */
export class CommandRefusedError extends Error {
  override readonly name: string = 'CommandRefusedError';
}
