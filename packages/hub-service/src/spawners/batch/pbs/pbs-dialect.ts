import { SpawnError } from '../../spawner';
import { SchedulerUnreachableError, type CommandRunner } from '../commands';
import type { JobInfo, SchedulerDialect, SubmittedJob, WatchedJob } from '../dialect';
import type { JobSpec } from '../job-spec';
import type { JobScriptContext } from '../script-text';
import type { PendingReason } from '../slurm/reasons';
import { finishedView, parseSacct, sacctArgs } from '../slurm/sacct';
import { firstLine } from '../slurm/slurm-dialect';
import { explainPbsComment, parseQstatFull, pbsFinishedView, pbsQueuedView, qstatArgs, qstatOutcome, type QstatJob } from './qstat';
import { parseQsubOutput, qdelArgs, qsubArgs, renderQsubScript, type QsubFlavour } from './qsub-script';

/** Options of {@link PbsDialect}. */
export interface PbsDialectOptions {
  /**
   * Which `qsub` the cluster has (default `torque-wrapper`: Debian's `slurm-wlm-torque` over Slurm,
   * the only PBS commands packaged here and the only ones tested). With the wrappers the cluster is
   * Slurm underneath by construction, so jobs that ended are looked up in `sacct` for their final
   * state and exit code; with `pbs` the final state is what `qstat` last said, without an exit code.
   */
  readonly flavour?: QsubFlavour;
}

/** The most useful line of the wrapper's refusal (it prints sbatch's error on stdout), else the first of either stream. */
export function qsubRefusal(stdout: string, stderr: string): string {
  const text = `${stderr}\n${stdout}`;
  const slurm = text.split('\n').find((l) => /\b(sbatch|qsub): error:/.test(l));
  return (slurm ?? (firstLine(stderr) || firstLine(stdout))).replace(/^['\s]+/, '').trim().slice(0, 300);
}

/**
 * PBS: `qsub` as the user with the options in argv and the script on stdin, ONE `qstat -f <ids…>`
 * per query for all the hub's jobs, `qdel` as the user. Under Debian's Torque wrappers every ending
 * reads `C` with no exit status, so those jobs (and those `qstat` no longer lists) are asked of
 * `sacct` in one more call; a job accounting still shows as running counts as running, so the stop
 * reason (e.g. walltime) is not lost.
 */
export class PbsDialect implements SchedulerDialect {
  readonly kind = 'pbs';
  private readonly flavour: QsubFlavour;

  constructor(
    private readonly runner: CommandRunner,
    opts: PbsDialectOptions = {},
  ) {
    this.flavour = opts.flavour ?? 'torque-wrapper';
  }

  renderScript(spec: JobSpec, ctx: JobScriptContext): string {
    // qsubArgs validates what only the argv carries (-wd), so a bad value fails before submitting.
    qsubArgs(spec, ctx, this.flavour);
    return renderQsubScript(spec, ctx);
  }

  explainReason(raw: string): PendingReason | null {
    return explainPbsComment(raw);
  }

  async submit(script: string, account: string, job: SubmittedJob): Promise<string> {
    const args = qsubArgs(job.spec, job.ctx, this.flavour);
    const result = await this.runner.run({ program: 'qsub', args, asUser: account, stdin: script });
    const jobId = result.code === 0 ? parseQsubOutput(result.stdout) : null;
    if (!jobId) throw new SpawnError(`The PBS scheduler refused the job: ${qsubRefusal(result.stdout, result.stderr) || `qsub exited with ${result.code}`}`);
    return jobId;
  }

  async observe(jobs: readonly WatchedJob[]): Promise<Map<string, JobInfo>> {
    const out = new Map<string, JobInfo>();
    if (jobs.length === 0) return out;
    const ids = [...new Set(jobs.map((j) => j.id))];
    const result = await this.runner.run({ program: 'qstat', args: qstatArgs(ids) });
    const outcome = qstatOutcome(result.code, result.stdout);
    if (outcome === 'unreachable') throw new SchedulerUnreachableError(`qstat failed: ${firstLine(result.stderr) || firstLine(result.stdout) || `exit ${result.code}`}`);
    const listed = outcome === 'ok' ? parseQstatFull(result.stdout) : [];
    const now = new Date();
    const ended = new Map<string, QstatJob | null>();
    for (const id of ids) {
      const seen = listed.find((j) => j.id === id);
      const view = seen ? pbsQueuedView(seen, now) : null;
      if (seen && view && (view.phase === 'pending' || view.phase === 'running')) {
        out.set(id, { observation: { kind: 'queued', job: view }, ...this.placeOf(seen) });
      } else if (seen && !view) {
        // A state letter this dialect does not know (PBS Pro's B, M, U, X…): never read as stopped.
        out.set(id, { observation: { kind: 'unreachable', message: `qstat shows job ${id} in state ${seen.state}` }, ...this.placeOf(seen) });
      } else {
        ended.set(id, seen ?? null);
      }
    }
    if (ended.size > 0) for (const [id, info] of await this.finalStates(ended)) out.set(id, info);
    return out;
  }

  /** Jobs that ended (`C`, `E`, `F`) or left `qstat`: their final state, from `sacct` under the wrappers. */
  private async finalStates(ended: ReadonlyMap<string, QstatJob | null>): Promise<Map<string, JobInfo>> {
    const out = new Map<string, JobInfo>();
    const accounted = this.flavour === 'torque-wrapper' ? await this.accounting([...ended.keys()]) : [];
    for (const [id, seen] of ended) {
      const record = accounted.find((j) => j.id === id);
      const where = seen ? this.placeOf(seen) : { node: null, partition: null, end: null };
      if (record && record.phase === 'ended') {
        out.set(id, { observation: { kind: 'finished', job: finishedView(record) }, ...where, partition: record.partition ?? where.partition });
      } else if (record && (record.phase === 'running' || record.phase === 'ending')) {
        // The wrapper says C before accounting has the final state: still running until it does.
        out.set(id, { observation: { kind: 'queued', job: { phase: 'running', state: record.state, reason: null } }, ...where });
      } else if (seen) {
        out.set(id, { observation: { kind: 'finished', job: pbsFinishedView(seen) }, ...where });
      } else {
        out.set(id, { observation: { kind: 'gone' }, node: null, partition: null, end: null });
      }
    }
    return out;
  }

  /** Accounting records of `ids` (one `sacct`); none when accounting cannot be read or an id is not Slurm's. */
  private async accounting(ids: readonly string[]): Promise<ReturnType<typeof parseSacct>> {
    const slurmIds = ids.filter((id) => /^[0-9]+$/.test(id));
    if (slurmIds.length === 0) return [];
    const result = await this.runner.run({ program: 'sacct', args: sacctArgs(slurmIds) });
    return result.code === 0 ? parseSacct(result.stdout) : [];
  }

  async cancel(jobId: string, account: string): Promise<void> {
    const result = await this.runner.run({ program: 'qdel', args: qdelArgs([jobId]), asUser: account });
    // The wrapper exits non-zero without a word for a job that already ended or is unknown; it prints
    // "Kill job error …" (on stdout) for anything else, e.g. permission denied or no controller.
    const said = `${result.stdout}\n${result.stderr}`.trim();
    if (result.code !== 0 && said !== '') throw new SchedulerUnreachableError(`qdel ${jobId} failed: ${firstLine(said)}`);
  }

  /** Node, queue and (under the wrappers, whose `mtime` of a running job is its start) walltime end of a job `qstat` lists. */
  private placeOf(job: QstatJob): Pick<JobInfo, 'node' | 'partition' | 'end'> {
    const node = job.execHost?.split('+')[0]?.split('/')[0] ?? '';
    const start = this.flavour === 'torque-wrapper' && job.phase === 'running' ? job.mtime : null;
    const end = start && job.walltimeSeconds !== null ? new Date(start.getTime() + job.walltimeSeconds * 1000) : null;
    return { node: node === '' ? null : node, partition: job.queue, end };
  }
}
