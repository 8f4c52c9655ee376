/**
 * The Slurm job script of a server, sent on `sbatch`'s standard input (never in argv, never in a
 * file), and the argv of `sbatch` itself, as pure functions.
 *
 * The script: `#SBATCH` directives from the {@link JobSpec}; the environment reset of seed 003
 * (`--export=NONE`, then everything unset but what Slurm and the login set; `PATH` from the
 * backend); the admin's prologue; the hub's environment (the API token among it) as single-quoted
 * exports; and `exec` of the server command without `srun`, so MPI works inside the server.
 */
import type { JobSpec } from '../job-spec';
import { assertDirectiveValue, checkPaths, scriptBody, shellQuote, type JobScriptContext, type KeptVariables } from '../script-text';
import { parseSlurmTime } from './time';

/** What the script needs besides the job spec. */
export type SbatchScriptContext = JobScriptContext;

/** Variables a Slurm job keeps through the reset (seed 003). */
export const SLURM_KEPT_VARIABLES: KeptVariables = {
  names: ['CUDA_VISIBLE_DEVICES', 'GPU_DEVICE_ORDINAL', 'HOME', 'USER', 'LOGNAME', 'TMPDIR'],
  prefixes: ['SLURM_'],
};

/** The `#SBATCH` option lines of a spec (without the `#SBATCH ` prefix). */
export function sbatchDirectives(spec: JobSpec, ctx: Pick<SbatchScriptContext, 'jobName' | 'home' | 'output'>): string[] {
  checkPaths(ctx);
  const opts: Array<[string, string | number | undefined]> = [
    ['job-name', ctx.jobName],
    ['partition', spec.partition],
    ['account', spec.account],
    ['qos', spec.qos],
    ['reservation', spec.reservation],
    ['constraint', spec.constraint],
    ['time', spec.walltime],
    ['nodes', 1],
    ['ntasks', 1],
    ['cpus-per-task', spec.cpus],
    ['mem', spec.memoryMiB === undefined ? undefined : `${spec.memoryMiB}M`],
    ['gres', spec.gres],
    ['chdir', ctx.home],
    ['output', ctx.output],
    ['export', 'NONE'],
  ];
  return opts.filter((o): o is [string, string | number] => o[1] !== undefined).map(([k, v]) => `--${k}=${assertDirectiveValue(k, String(v))}`);
}

/**
 * The whole job script (text for `sbatch`'s stdin). Throws a `RangeError` for any value that could
 * break out of its line or directive (newline, NUL, whitespace in a directive), a bad variable
 * name, or a hub variable that would override one Slurm sets (`CUDA_VISIBLE_DEVICES`, `SLURM_*`, …).
 */
export function renderSbatchScript(spec: JobSpec, ctx: SbatchScriptContext): string {
  const lines = [
    '#!/bin/bash',
    ...sbatchDirectives(spec, ctx).map((d) => `#SBATCH ${d}`),
    '',
    ...exitReportLines(ctx.home, ctx.output),
    ...scriptBody(spec.prologue, ctx, SLURM_KEPT_VARIABLES),
  ];
  return lines.join('\n');
}

/** The prefix of a job's `Comment` that carries its exit status and output tail (see {@link exitReportLines}). */
export const EXIT_REPORT_PREFIX = 'clusterhub-exit:';

/**
 * Bash lines that, when the script exits before it `exec`s the server (a failing prologue, a
 * missing command), put its exit status and the last lines of its output into the job's own
 * `Comment` (`scontrol update`, which a user may do on their own job), so the hub can show them
 * without reading the user's files (over SSH it may run only the scheduler's commands). Newlines
 * become \x1e, spaces \x1f and `|` `!`, so the comment is one word for `scontrol` and `sacct -P`.
 */
export function exitReportLines(home: string, output: string): string[] {
  // Literal pieces single-quoted, Slurm's %j / %u / %x as the job's own variables.
  const vars: Readonly<Record<string, string>> = { j: '"${SLURM_JOB_ID}"', u: '"${USER}"', x: '"${SLURM_JOB_NAME}"' };
  const quoted = `${home}/${output}`
    .split(/(%[jux])/)
    .map((piece) => (/^%[jux]$/.test(piece) ? (vars[piece.slice(1)] ?? '') : piece === '' ? '' : shellQuote(piece)))
    .join('');
  return [
    '# If this script ends before the server runs, leave its exit status and output tail in the job comment.',
    '__clusterhub_report() {',
    '  local rc=$?',
    '  [ "$rc" -ne 0 ] || return 0',
    `  local tail; tail=$(tail -n 20 -- ${quoted} 2>/dev/null | tail -c 1500 | tr '\\n |' '\\036\\037!' | tr -c '[:print:]\\036\\037' '?')`,
    `  scontrol update JobId="$SLURM_JOB_ID" Comment="${EXIT_REPORT_PREFIX}$rc:$tail" >/dev/null 2>&1 || true`,
    '}',
    'trap __clusterhub_report EXIT',
    '',
  ];
}

/** Record and unit separators: the newlines and spaces of an exit report's tail. */
const RS = String.fromCharCode(0x1e);
const US = String.fromCharCode(0x1f);

/** The output tail an exit report carries (newlines restored), or null when `comment` is not one. */
export function outputTailOfComment(comment: string | null | undefined): string | null {
  if (!comment?.startsWith(EXIT_REPORT_PREFIX)) return null;
  const rest = comment.slice(EXIT_REPORT_PREFIX.length);
  const tail = rest.slice(rest.indexOf(':') + 1);
  return tail.split(RS).join('\n').split(US).join(' ');
}

/** `sbatch`'s argv for a submission: the script comes on stdin; the answer is `<id>[;<cluster>]`. */
export function sbatchArgs(): string[] {
  return ['--parsable'];
}

/** `sbatch`'s argv for a dry run (`--test-only`): nothing is submitted; the answer is on stderr. */
export function dryRunArgs(): string[] {
  return ['--test-only'];
}

/** What `sbatch --parsable` answered. */
export interface SbatchSubmission {
  /** The job id. */
  readonly jobId: string;
  /** The cluster, on a multi-cluster setup. */
  readonly cluster?: string;
}

/** Reads `sbatch --parsable`'s answer (`123` or `123;cluster`); `null` when there is no job id. */
export function parseSbatchOutput(stdout: string): SbatchSubmission | null {
  for (const line of stdout.split('\n')) {
    const m = /^([0-9]+)(?:;([A-Za-z0-9_.-]+))?$/.exec(line.trim());
    if (m?.[1]) return m[2] ? { jobId: m[1], cluster: m[2] } : { jobId: m[1] };
  }
  return null;
}

/** What `sbatch --test-only` expects. */
export interface SbatchDryRun {
  /** Expected start, or `null` when Slurm did not say. */
  readonly start: Date | null;
  /** CPUs it would use. */
  readonly processors: number | null;
  /** Nodes it would use. */
  readonly nodes: string | null;
  /** Partition it would go to. */
  readonly partition: string | null;
}

/**
 * Reads `sbatch --test-only`'s stderr (`sbatch: Job 12 to start at 2026-11-30T19:00:00 using 1
 * processors on nodes n1 in partition cpu`); `null` when that line is missing (e.g. an error).
 */
export function parseDryRun(stderr: string): SbatchDryRun | null {
  for (const line of stderr.split('\n')) {
    const m = /Job \S+ to start at (\S+)(?: using ([0-9]+) processors)?(?: on nodes (\S+))?(?: in partition (\S+))?/.exec(line);
    if (m) {
      return { start: parseSlurmTime(m[1] ?? ''), processors: m[2] ? Number(m[2]) : null, nodes: m[3] ?? null, partition: m[4] ?? null };
    }
  }
  return null;
}
