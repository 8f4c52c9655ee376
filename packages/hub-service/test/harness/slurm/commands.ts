/**
 * Running Slurm (and Torque-wrapper) commands in tests, as root or as a cluster user through
 * `sudo -n -u <user>` (what the hub's local transport does), with the job script on standard input.
 * Test tooling for the real cluster of `cluster.ts`.
 */
import { spawn } from 'node:child_process';

/** The outcome of one command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run a command: standard input as text (a pipe) or an open file descriptor, folder, time limit. */
export interface CommandOptions {
  readonly input?: string;
  /** An open file descriptor to use as standard input instead of a pipe (`input` is then ignored). */
  readonly stdinFd?: number;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** Runs `command args` with optional standard input; never rejects on a non-zero exit. */
export function runCommand(command: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: opts.cwd, stdio: [opts.stdinFd ?? 'pipe', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(opts.input ?? '');
  });
}

/** Runs `command args` as `user` through `sudo -n -u`. */
export function runAs(user: string, command: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return runCommand('sudo', ['-n', '-u', user, command, ...args], opts);
}

/** Runs a command and returns its standard output; throws with its standard error on a non-zero exit. */
export async function check(result: Promise<CommandResult>, what: string): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${String(r.code)}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/**
 * Submits `script` as `user` with `sbatch --parsable --chdir=<home>`, the script on standard input,
 * and returns the job id.
 */
export async function sbatchAs(user: string, home: string, script: string, args: readonly string[] = []): Promise<string> {
  const out = await check(runAs(user, 'sbatch', ['--parsable', `--chdir=${home}`, ...args], { input: script }), `sbatch as ${user}`);
  const id = out.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: ${out}`);
  return id;
}

/** One line of `squeue -h -o '%i|%T|%r|%u|%N|%P|%S|%e|%j'`. */
export interface QueueLine {
  readonly id: string;
  readonly state: string;
  readonly reason: string;
  readonly user: string;
  readonly nodes: string;
  readonly partition: string;
  readonly start: string;
  readonly end: string;
  readonly name: string;
}

/** The squeue format of {@link QueueLine}. */
export const QUEUE_FORMAT = '%i|%T|%r|%u|%N|%P|%S|%e|%j';

/** The queue line of job `id`, or undefined when the controller no longer lists it. */
export async function queueLine(id: string): Promise<QueueLine | undefined> {
  const r = await runCommand('squeue', ['-h', '-j', id, '-o', QUEUE_FORMAT]);
  const line = r.code === 0 ? r.stdout.split('\n').find((l) => l.startsWith(`${id}|`)) : undefined;
  if (!line) return undefined;
  const [, state = '', reason = '', user = '', nodes = '', partition = '', start = '', end = '', ...name] = line.split('|');
  return { id, state, reason, user, nodes, partition, start, end, name: name.join('|') };
}

/**
 * Polls job `id` until `accept` says yes of its queue line (undefined once the job left the queue);
 * throws naming the job and its last line after `timeoutMs`.
 */
export async function waitForJob(id: string, what: string, accept: (line: QueueLine | undefined) => boolean, timeoutMs = 60_000): Promise<QueueLine | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = await queueLine(id);
    if (accept(line)) return line;
    if (Date.now() > deadline) throw new Error(`job ${id} never got ${what}; last: ${JSON.stringify(line)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Cancels jobs (as root); ids that no longer exist are ignored, as scancel does. */
export async function cancelJobs(ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await runCommand('scancel', [...ids]);
}
