/**
 * The PBS dialect's job script and `qsub` argv, for Debian's Torque-compatible wrappers over Slurm
 * (`slurm-wlm-torque`, the only PBS commands packaged here) and Torque/PBS sites, as pure functions.
 *
 * What the wrappers dictate (test-environment.md): `qsub` needs a script argument (`qsub < script`
 * exits 2), and `/dev/stdin` does not do under sudo (sbatch re-opens the path as the target user,
 * who may not open a pipe that belongs to the hub or the SSH operator: "Unable to open file
 * /dev/stdin", seen on the test cluster). So the wrapper gets `-- --parsable` where the script
 * goes: it hands that word on to `sbatch`, which then reads the script from its inherited standard
 * input and answers only the id (verified on the test cluster, as alice through sudo). Real PBS
 * `qsub` reads standard input without any argument. Only the last `-l` counts, so all resources are one comma-joined
 * `-l`; `#PBS -j oe` and `-N` do not name the output, so `-j oe -o <file>` go in argv; no `PBS_*`
 * variables reach the job. The wrapper builds a SHELL command line from its arguments, so every
 * argument here is restricted to characters a shell leaves alone. Walltime is `H:MM:SS` in total
 * hours (the wrapper reads no days). What PBS cannot express — QoS, reservation, a constraint, a
 * GPU type or MIG profile — is refused naming it, never silently dropped.
 */
import type { JobSpec } from '../job-spec';
import { assertDirectiveValue, checkPaths, scriptBody, type JobScriptContext, type KeptVariables } from '../script-text';

/** What the script needs besides the job spec. */
export type QsubScriptContext = JobScriptContext;

/** Variables a PBS job keeps through the reset (PBS's own, and Slurm's under the wrappers). */
export const PBS_KEPT_VARIABLES: KeptVariables = {
  names: ['CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'HOME', 'USER', 'LOGNAME', 'TMPDIR'],
  prefixes: ['PBS_', 'SLURM_'],
};

/** Characters a qsub argument may hold: the wrapper pastes them into a shell command line. */
const SHELL_SAFE = /^[A-Za-z0-9_.:=,/%+@-]+$/;

/** Throws unless `value` is safe in the wrapper's shell command line. */
function shellSafe(what: string, value: string): string {
  if (!SHELL_SAFE.test(value)) throw new RangeError(`${what}: the PBS wrapper passes it through a shell; only letters, digits and _ . : = , / % + @ - are allowed`);
  return value;
}

/** `H:MM:SS` with total hours (`1-12:00:00` → `36:00:00`). */
export function pbsWalltime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${mm}:${ss}`;
}

/** Whole GPUs of an untyped gres (`gpu:2`); refuses what PBS cannot ask for (a type, other gres). */
function pbsGpus(gres: string | undefined): number | null {
  if (gres === undefined) return null;
  const m = /^gpu:([0-9]+)$/.exec(gres);
  if (!m) throw new RangeError(`gres ${JSON.stringify(gres)}: the PBS dialect can ask only for a number of GPUs (gpu:N), not a GPU type, MIG profile or other gres`);
  return Number(m[1]);
}

/** The single `-l` resource list: `nodes=1:ppn=<cpus>[:gpus=N],mem=<MiB>mb,walltime=H:MM:SS`. */
export function pbsResources(spec: JobSpec): string {
  for (const [key, value] of [
    ['qos', spec.qos],
    ['reservation', spec.reservation],
    ['constraint', spec.constraint],
  ] as const) {
    if (value !== undefined) throw new RangeError(`${key}: the PBS dialect has no ${key}; remove it from the profile's slurm section`);
  }
  const gpus = pbsGpus(spec.gres);
  const items = [`nodes=1:ppn=${spec.cpus}${gpus !== null ? `:gpus=${gpus}` : ''}`];
  if (spec.memoryMiB !== undefined) items.push(`mem=${spec.memoryMiB}mb`);
  if (spec.walltimeSeconds !== undefined) items.push(`walltime=${pbsWalltime(spec.walltimeSeconds)}`);
  return items.join(',');
}

/** The PBS options (flag, value) of a job, in argv order. */
function pbsOptions(spec: JobSpec, ctx: Pick<QsubScriptContext, 'jobName' | 'output'>): Array<[string, string]> {
  const opts: Array<[string, string]> = [['-N', ctx.jobName]];
  if (spec.partition !== undefined) opts.push(['-q', spec.partition]);
  if (spec.account !== undefined) opts.push(['-A', spec.account]);
  opts.push(['-l', pbsResources(spec)], ['-j', 'oe'], ['-o', ctx.output]);
  return opts;
}

/** Which `qsub` receives the script: Debian's Torque wrappers over Slurm, or a real PBS/Torque server. */
export type QsubFlavour = 'torque-wrapper' | 'pbs';

/**
 * `qsub`'s argv: the options, the working folder (`-wd <home>`), `-v CLUSTERHUB_JOB=1` (with it the
 * wrapper submits with `--export=none`), and for the wrappers `-- --parsable` (see the module
 * comment: the script then comes from standard input). The script itself is always sent on
 * standard input, never in argv or a file. Throws a `RangeError` for anything not shell-safe or not
 * expressible in PBS.
 */
export function qsubArgs(spec: JobSpec, ctx: Pick<QsubScriptContext, 'jobName' | 'home' | 'output'>, flavour: QsubFlavour = 'torque-wrapper'): string[] {
  checkPaths(ctx);
  const args = pbsOptions(spec, ctx).flatMap(([flag, value]) => [flag, shellSafe(flag, value)]);
  return [...args, '-wd', shellSafe('home', ctx.home), '-v', 'CLUSTERHUB_JOB=1', ...(flavour === 'torque-wrapper' ? ['--', '--parsable'] : [])];
}

/**
 * The job script (text for `qsub`'s stdin): `#PBS` directives (the same as the argv, for PBS itself;
 * the wrappers take the argv), then the body both dialects share — environment reset, prologue,
 * exports, `exec` without `srun`.
 */
export function renderQsubScript(spec: JobSpec, ctx: QsubScriptContext): string {
  checkPaths(ctx);
  const directives = pbsOptions(spec, ctx).map(([flag, value]) => `#PBS ${flag} ${assertDirectiveValue(flag, shellSafe(flag, value))}`);
  return ['#!/bin/bash', ...directives, '', ...scriptBody(spec.prologue, ctx, PBS_KEPT_VARIABLES)].join('\n');
}

/** Reads `qsub`'s answer: the job id (`123`, or `123.server` from PBS); `null` when there is none (an error text). */
export function parseQsubOutput(stdout: string): string | null {
  const first = stdout.trim().split('\n')[0]?.trim() ?? '';
  return /^[0-9]+(?:\.[A-Za-z0-9.-]+)?$/.test(first) ? first : null;
}

/** `qdel`'s argv for `ids` (PBS ids, `123` or `123.server`). */
export function qdelArgs(ids: readonly string[]): string[] {
  return ids.map((id) => {
    if (!/^[0-9]{1,12}(?:\.[A-Za-z0-9.-]{1,100})?$/.test(id)) throw new RangeError(`job id ${JSON.stringify(id.slice(0, 40))} is not a PBS job id`);
    return id;
  });
}
