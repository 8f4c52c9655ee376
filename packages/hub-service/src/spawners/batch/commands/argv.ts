/**
 * The command line of a scheduler command, and its form as one remote command string for SSH.
 * Pure.
 *
 * Locally the argv is executed without a shell. Over SSH the server hands the string to the
 * operator account's login shell (`$SHELL -c`), so every word is single-quoted: `;`, `$()`,
 * backticks, newlines, quotes, `#` and globs reach the program as literal argument bytes. That
 * account's login shell must be a POSIX shell (sh, bash, dash, zsh), not csh.
 */
import * as path from 'node:path';
import { isValidAccountName } from '../../local-process/account-name';
import { CommandRefusedError, type SchedulerCommand, type SchedulerProgram } from './types';

/** Every program a runner may run, in the order the sudoers rule lists them. */
export const SCHEDULER_PROGRAMS: readonly SchedulerProgram[] = Object.freeze([
  'sbatch',
  'squeue',
  'scancel',
  'scontrol',
  'sacct',
  'sinfo',
  'sacctmgr',
  'srun',
  'qsub',
  'qstat',
  'qdel',
]);

/** True when `name` is one of {@link SCHEDULER_PROGRAMS}. */
export function isSchedulerProgram(name: string): name is SchedulerProgram {
  return (SCHEDULER_PROGRAMS as readonly string[]).includes(name);
}

/** How a runner turns commands into argv. */
export interface ArgvOptions {
  /** Run commands with an `asUser` through `sudo -n -u <account> --`. */
  readonly sudo: boolean;
  /** Absolute folder of the scheduler programs (e.g. `/usr/bin`), or `''` to look them up in PATH. */
  readonly commandDir: string;
  /**
   * The account the runner itself runs as (the SSH user, or the hub's own account). Without sudo,
   * a command may only ask for this account.
   */
  readonly self: string;
}

/** A lone UTF-16 surrogate: it has no UTF-8 form, so it could not reach a program byte-exact. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks a command folder: `''`, or an absolute path without NUL.
 *
 * @throws Error naming `key` when it is neither.
 */
export function checkCommandDir(dir: string, key: string): void {
  if (dir === '') return;
  if (!path.posix.isAbsolute(dir) || dir.includes('\0')) {
    throw new Error(`${key} must be an absolute folder (e.g. /usr/bin) or empty, not ${JSON.stringify(dir)}`);
  }
}

/** Checks one argument; the message names its position. */
function checkArgument(arg: unknown, index: number): string {
  if (typeof arg !== 'string') throw new CommandRefusedError(`argument ${index} is not a string`);
  if (arg.includes('\0')) throw new CommandRefusedError(`argument ${index} holds a NUL character, which no program can receive`);
  if (LONE_SURROGATE.test(arg)) throw new CommandRefusedError(`argument ${index} is not valid Unicode (a lone surrogate)`);
  return arg;
}

/**
 * The argv of `cmd`: `[sudo -n -u <account> --] <commandDir>/<program> args…`.
 *
 * @throws CommandRefusedError for a program outside {@link SCHEDULER_PROGRAMS}, an `asUser` that is
 *   not a valid Unix account name or is `root`, an `asUser` other than `opts.self` without sudo,
 *   or an argument with NUL or a lone surrogate.
 */
export function commandArgv(cmd: SchedulerCommand, opts: ArgvOptions): readonly string[] {
  const program: string = cmd.program;
  if (!isSchedulerProgram(program)) {
    throw new CommandRefusedError(`${JSON.stringify(program)} is not a scheduler program the hub may run (${SCHEDULER_PROGRAMS.join(', ')})`);
  }
  const args = cmd.args.map(checkArgument);
  const file = opts.commandDir === '' ? program : path.posix.join(opts.commandDir, program);
  const user = cmd.asUser;
  if (user === undefined) return [file, ...args];
  if (!isValidAccountName(user)) throw new CommandRefusedError(`${JSON.stringify(user)} is not a valid Unix account name`);
  if (user === 'root') throw new CommandRefusedError('scheduler commands never run as root');
  if (opts.sudo) return ['sudo', '-n', '-u', user, '--', file, ...args];
  if (user !== opts.self) {
    throw new CommandRefusedError(`cannot run ${program} as ${user}: sudo is off and commands run as ${opts.self}`);
  }
  return [file, ...args];
}

/** `word` single-quoted for a POSIX shell: every byte inside stays literal, `'` becomes `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One command string for a POSIX shell that runs `argv` with every word passed literally. */
export function shellCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
