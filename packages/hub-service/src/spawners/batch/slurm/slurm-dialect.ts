import { SpawnError } from '../../spawner';
import { SchedulerUnreachableError, type CommandRunner } from '../commands';
import type { SchedulerDialect, JobInfo, WatchedJob } from '../dialect';
import type { JobSpec } from '../job-spec';
import type { JobScriptContext } from '../script-text';
import { finishedView, parseSacct, SACCT_REPORT_FIELDS, sacctArgs } from './sacct';
import { parseSbatchOutput, renderSbatchScript, sbatchArgs } from './sbatch-script';
import { scancelArgs, timeLimitArgs } from './scancel';
import { parseScontrolJob, scontrolShowJobArgs } from './scontrol-job';
import type { FinishedJobView } from '../job-state';
import { isInvalidJobIdError, parseSqueue, planSqueue, queuePositions, queuedView, squeueArgs } from './squeue';

/** The first non-empty line of a command's error output, trimmed to a readable length. */
export function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 300);
}

/**
 * Slurm: `sbatch --parsable` with the script on stdin as the user, one `squeue` per query for all
 * the hub's jobs (by ids, or by their partitions while one pends, for queue positions), one `sacct`
 * for those that left the queue, `scancel` as the user.
 */
export class SlurmDialect implements SchedulerDialect {
  readonly kind = 'slurm';

  constructor(private readonly runner: CommandRunner) {}

  renderScript(spec: JobSpec, ctx: JobScriptContext): string {
    return renderSbatchScript(spec, ctx);
  }

  async submit(script: string, account: string): Promise<string> {
    const result = await this.runner.run({ program: 'sbatch', args: sbatchArgs(), asUser: account, stdin: script });
    const submitted = result.code === 0 ? parseSbatchOutput(result.stdout) : null;
    if (!submitted) throw new SpawnError(`Slurm refused the job: ${firstLine(result.stderr) || `sbatch exited with ${result.code}`}`);
    return submitted.jobId;
  }

  async observe(jobs: readonly WatchedJob[]): Promise<Map<string, JobInfo>> {
    const out = new Map<string, JobInfo>();
    if (jobs.length === 0) return out;
    const result = await this.runner.run({ program: 'squeue', args: squeueArgsFor(jobs) });
    if (result.code !== 0 && !isInvalidJobIdError(result.stderr)) {
      throw new SchedulerUnreachableError(`squeue failed: ${firstLine(result.stderr) || `exit ${result.code}`}`);
    }
    const listed = result.code === 0 ? parseSqueue(result.stdout) : [];
    const positions = queuePositions(listed);
    const missing: string[] = [];
    for (const job of jobs) {
      const seen = listed.find((j) => j.id === job.id);
      const view = seen ? queuedView(seen, positions) : null;
      if (seen && view && view.phase === 'ending') {
        // COMPLETING: the final state (TIMEOUT, FAILED…) is the controller's until accounting has it;
        // until it says, the job still counts as running, so the stop reason is never lost.
        const final = await this.lastWord(job.id);
        const observation = final ? ({ kind: 'finished', job: final } as const) : ({ kind: 'queued', job: { ...view, phase: 'running' } } as const);
        out.set(job.id, { observation, node: seen.nodes?.split(',')[0] ?? null, partition: seen.partition, end: seen.end, timeLimitSeconds: seen.timeLimitSeconds });
      } else if (seen && view && view.phase !== 'ended') {
        out.set(job.id, { observation: { kind: 'queued', job: view }, node: seen.nodes?.split(',')[0] ?? null, partition: seen.partition, end: seen.end, timeLimitSeconds: seen.timeLimitSeconds });
      } else {
        missing.push(job.id);
      }
    }
    if (missing.length > 0) for (const [id, info] of await this.accounting(missing)) out.set(id, info);
    return out;
  }

  /** Final states of jobs that left the queue (one `sacct`); `gone` when accounting does not know them. */
  private async accounting(ids: readonly string[]): Promise<Map<string, JobInfo>> {
    const out = new Map<string, JobInfo>();
    const result = await this.runner.run({ program: 'sacct', args: sacctArgs(ids, SACCT_REPORT_FIELDS) });
    const known = result.code === 0 ? parseSacct(result.stdout, SACCT_REPORT_FIELDS) : [];
    for (const id of ids) {
      const job = known.find((j) => j.id === id);
      const recent = job ? null : await this.lastWord(id);
      out.set(id, {
        observation: job ? { kind: 'finished', job: finishedView(job) } : recent ? { kind: 'finished', job: recent } : { kind: 'gone' },
        node: null,
        partition: job?.partition ?? null,
        end: null,
      });
    }
    return out;
  }

  /** The controller's record of a job that just ended, before accounting has it (null when it no longer knows it). */
  private async lastWord(id: string): Promise<FinishedJobView | null> {
    const result = await this.runner.run({ program: 'scontrol', args: scontrolShowJobArgs(id) });
    return result.code === 0 ? parseScontrolJob(result.stdout) : null;
  }

  async setTimeLimit(jobId: string, seconds: number): Promise<void> {
    const result = await this.runner.run({ program: 'scontrol', args: timeLimitArgs(jobId, seconds) });
    if (result.code !== 0) throw new SpawnError(`Slurm refused the new time limit: ${firstLine(result.stderr) || `scontrol exited with ${result.code}`}`);
  }

  async cancel(jobId: string, account: string): Promise<void> {
    const result = await this.runner.run({ program: 'scancel', args: scancelArgs([jobId]), asUser: account });
    if (result.code !== 0 && !isInvalidJobIdError(result.stderr)) {
      throw new SchedulerUnreachableError(`scancel ${jobId} failed: ${firstLine(result.stderr) || `exit ${result.code}`}`);
    }
  }
}

function squeueArgsFor(jobs: readonly WatchedJob[]): string[] {
  return squeueArgs(planSqueue(jobs.map((j) => ({ id: j.id, partition: j.partition, pending: j.pending }))));
}
