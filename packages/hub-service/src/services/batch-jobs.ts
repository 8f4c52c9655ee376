/**
 * The batch jobs API's policy (issue 6 item 8, docs/batch-jobs.md): a user's own Slurm jobs, submitted
 * from the same profile catalogue as servers, listed from `squeue` and `sacct`, cancelled with
 * `scancel`, every command as the user. The hub stores nothing Slurm knows: no job table.
 *
 * A submission goes through the same checks as a server start, in the same order: the profile
 * exists, the profile-access policy, the options against the profile (resolveJobSpec), the group
 * charged (`charge_group`), the budget (one hour of the profile's price), then a per-user rate
 * limit, and only then Slurm.
 */
import { isoTimestamp, type BatchJobCost, type BatchJobDryRunModel, type BatchJobModel, type BatchJobSubmittedModel, type ProfileConfig } from '@clusterhub/shared';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { Backends } from '../spawners/backends';
import type { UserRecord } from '../store/store';
import { HubError } from '../errors';
import { resolveJobSpec, type JobSpec } from '../spawners/batch/job-spec';
import { SchedulerUnreachableError, type CommandResult, type SchedulerCommand } from '../spawners/batch/commands';
import { renderBatchJobScript } from '../spawners/batch/slurm/batch-job-script';
import { dryRunArgs, parseDryRun, parseSbatchOutput, sbatchArgs } from '../spawners/batch/slurm/sbatch-script';
import { parseSqueue, isInvalidJobIdError } from '../spawners/batch/slurm/squeue';
import { parseSacct } from '../spawners/batch/slurm/sacct';
import { scancelArgs } from '../spawners/batch/slurm/scancel';
import { JOB_ID } from '../spawners/batch/slurm/fields';
import { firstLine } from '../spawners/batch/slurm/slurm-dialect';
import { oneJobHistoryArgs, oneJobQueueArgs, userHistoryArgs, userQueueArgs } from '../spawners/batch/slurm/user-jobs';
import { slurmBackendOf, slurmBackends, type SlurmBackendRef } from './batch-backend';
import { parseBatchJobRequest } from './batch-job-request';
import type { BudgetService } from './budget';
import { chargedGroup } from './ledger';
import { roundUnits } from './ledger-report';
import { checkProfileAccess } from './profile-access';

/** Submissions (and dry runs: both run `sbatch`) a user may make per minute by default. */
export const DEFAULT_SUBMISSIONS_PER_MINUTE = 10;

/** How far back `GET /clusterhub/jobs` lists finished jobs. */
export const RECENT_JOBS_DAYS = 7;

/** The output file of a batch job, in the user's home (Slurm's own default name). */
export const BATCH_JOB_OUTPUT = 'slurm-%j.out';

/** Dependencies of {@link BatchJobs}. */
export interface BatchJobsDeps {
  readonly backends: Backends;
  readonly profiles: readonly ProfileConfig[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Checked before every submission, as before a server start. */
  readonly budget?: BudgetService;
  /** Per user and minute (default {@link DEFAULT_SUBMISSIONS_PER_MINUTE}). */
  readonly submissionsPerMinute?: number;
  /** Called after a job was submitted or cancelled (what is free changed). */
  readonly onChange?: () => void;
}

/** Who submits: the user row and their groups (for the profile-access policy). */
export interface JobSubmitter {
  readonly user: UserRecord;
  readonly groups: readonly string[];
}

/** A user's batch jobs on the hub's Slurm backends. */
export class BatchJobs {
  private readonly limiter: RateLimiterMemory;

  constructor(private readonly deps: BatchJobsDeps) {
    this.limiter = new RateLimiterMemory({ keyPrefix: 'batch-jobs', points: deps.submissionsPerMinute ?? DEFAULT_SUBMISSIONS_PER_MINUTE, duration: 60 });
  }

  /** Submits (or, with `dry_run`, renders and tests) a job of the body's profile as `who`. */
  async submit(who: JobSubmitter, body: unknown): Promise<BatchJobDryRunModel | BatchJobSubmittedModel> {
    const request = parseBatchJobRequest(body);
    const profile = this.deps.profiles.find((p) => p.slug === request.profile);
    if (!profile) throw new HubError('unknown_profile', `No such profile: ${request.profile.slice(0, 64)}.`, { details: { field: 'profile' } });
    checkProfileAccess(profile, { name: who.user.name, admin: who.user.admin, groups: who.groups });
    const backend = slurmBackendOf(this.deps.backends, profile);
    if (!backend) throw new HubError('not_a_batch_profile', `Profile ${profile.slug} does not run on a Slurm backend: batch jobs need one.`, { details: { field: 'profile' } });
    const spec = resolveJobSpec(profile, request.options);
    const account = this.accountOf(backend, who.user.name);
    // The budget of the group the user chose (refused when not theirs or not the profile's), else the default rule's.
    const group = chargedGroup(profile, who.groups, request.chargeGroup === null ? null : { group: request.chargeGroup, required: true });
    await this.deps.budget?.checkStart(who.user, profile, group);
    await this.consume(who.user.name);
    const script = renderBatchJobScript(
      spec,
      { jobName: request.name, user: account, home: backend.settings.home.split('{account}').join(account), output: BATCH_JOB_OUTPUT, path: backend.settings.path },
      request.script,
    );
    const cost = costOf(profile, spec);
    if (request.dryRun) {
      const r = await this.run(backend, { program: 'sbatch', args: dryRunArgs(), asUser: account, stdin: script });
      const answer = r.code === 0 ? parseDryRun(r.stderr) : null;
      if (!answer) throw refused(r);
      return {
        dry_run: true,
        profile: profile.slug,
        backend: backend.name,
        script,
        cost,
        charge_group: group,
        expected_start: isoTimestamp(answer.start),
        partition: answer.partition,
        nodes: answer.nodes,
      };
    }
    const r = await this.run(backend, { program: 'sbatch', args: sbatchArgs(), asUser: account, stdin: script });
    const submitted = r.code === 0 ? parseSbatchOutput(r.stdout) : null;
    if (!submitted) throw refused(r);
    this.deps.logger.info({ user: who.user.name, account, backend: backend.name, jobId: submitted.jobId, profile: profile.slug, chargeGroup: group }, 'batch job submitted');
    this.deps.onChange?.();
    return { id: submitted.jobId, profile: profile.slug, backend: backend.name, cost, charge_group: group };
  }

  /**
   * The jobs of hub user `userName` on every Slurm backend: those in the queue, then those that
   * ended in the last {@link RECENT_JOBS_DAYS} days, newest first. A backend whose queue cannot be
   * read is named in `unavailable` with the reason; the others are still listed.
   */
  async list(userName: string): Promise<{ jobs: BatchJobModel[]; unavailable: { backend: string; reason: string }[] }> {
    const now = new Date(this.deps.clock());
    const since = new Date(now.getTime() - RECENT_JOBS_DAYS * 86_400_000);
    const out: BatchJobModel[] = [];
    const unavailable: { backend: string; reason: string }[] = [];
    for (const backend of slurmBackends(this.deps.backends)) {
      let account: string;
      let queue: CommandResult;
      try {
        account = this.accountOf(backend, userName);
        queue = await this.run(backend, { program: 'squeue', args: userQueueArgs(account), asUser: account });
        if (queue.code !== 0) throw unavailableError(backend, 'squeue', queue);
      } catch (err) {
        if (!(err instanceof HubError) || err.status < 500) throw err;
        unavailable.push({ backend: backend.name, reason: err.message });
        continue;
      }
      const queued = parseSqueue(queue.stdout).filter((j) => j.user === account);
      for (const j of queued) {
        out.push({ id: j.id, backend: backend.name, name: j.name, user: j.user, state: j.state, phase: 'queued', reason: j.reason, partition: j.partition || null, nodes: j.nodes, start: isoTimestamp(j.start), end: isoTimestamp(j.end), exit_code: null });
      }
      const history = await this.run(backend, { program: 'sacct', args: userHistoryArgs(account, since), asUser: account });
      if (history.code !== 0) {
        this.deps.logger.warn({ backend: backend.name, err: firstLine(history.stderr) }, 'batch jobs: sacct failed; listing the queue only');
        continue;
      }
      const listed = new Set(queued.map((j) => j.id));
      const finished = parseSacct(history.stdout)
        .filter((j) => !listed.has(j.id) && (j.user === null || j.user === account) && j.phase === 'ended')
        .sort((a, b) => (b.end?.getTime() ?? 0) - (a.end?.getTime() ?? 0));
      for (const j of finished) {
        out.push({ id: j.id, backend: backend.name, name: j.name ?? '', user: j.user ?? account, state: j.state, phase: 'finished', reason: j.reason, partition: j.partition, nodes: j.nodes, start: isoTimestamp(j.start), end: isoTimestamp(j.end), exit_code: j.exitCode });
      }
    }
    return { jobs: out, unavailable };
  }

  /**
   * Cancels job `id` of hub user `userName`. The owner is checked first (`squeue`, else `sacct`):
   * a job of another account, or one Slurm does not know, is `job_not_found` and nothing is
   * cancelled. A job of the user that already ended is fine (nothing to do). Searches every Slurm
   * backend in order, or only `onBackend`; when the job is on none that answered and one did not
   * answer, `scheduler_unavailable` (it may be there). Returns whether `scancel` ran.
   */
  async cancel(userName: string, id: string, onBackend?: string): Promise<{ readonly cancelled: boolean; readonly backend: string }> {
    if (!JOB_ID.test(id)) throw new HubError('invalid_job_id', `${JSON.stringify(id.slice(0, 40))} is not a Slurm job id (digits, or digits_digits for an array task).`, { details: { field: 'id' } });
    const searched = slurmBackends(this.deps.backends).filter((b) => onBackend === undefined || b.name === onBackend);
    if (onBackend !== undefined && searched.length === 0) throw new HubError('invalid_query', `No Slurm backend named ${JSON.stringify(onBackend.slice(0, 64))}.`, { details: { param: 'backend' } });
    let missed: HubError | null = null;
    for (const backend of searched) {
      const account = this.accountOf(backend, userName);
      let queue: CommandResult;
      try {
        queue = await this.run(backend, { program: 'squeue', args: oneJobQueueArgs(id), asUser: account });
        if (queue.code !== 0 && !isInvalidJobIdError(queue.stderr)) throw unavailableError(backend, 'squeue', queue);
      } catch (err) {
        if (!(err instanceof HubError) || err.code !== 'scheduler_unavailable') throw err;
        missed = err;
        continue;
      }
      const listed = queue.code === 0 ? parseSqueue(queue.stdout).find((j) => j.id === id) : undefined;
      if (listed) {
        if (listed.user !== account) break;
        if (listed.phase === 'ended') return { cancelled: false, backend: backend.name };
        const r = await this.run(backend, { program: 'scancel', args: scancelArgs([id]), asUser: account });
        if (r.code !== 0 && !isInvalidJobIdError(r.stderr)) throw refused(r);
        this.deps.logger.info({ user: userName, account, backend: backend.name, jobId: id }, 'batch job cancelled');
        this.deps.onChange?.();
        return { cancelled: true, backend: backend.name };
      }
      const history = await this.run(backend, { program: 'sacct', args: oneJobHistoryArgs(id), asUser: account });
      const known = history.code === 0 ? parseSacct(history.stdout).find((j) => j.id === id) : undefined;
      if (known?.user === account) return { cancelled: false, backend: backend.name };
    }
    if (missed) throw missed;
    throw new HubError('job_not_found', `${userName} has no job ${id}.`, { details: { id } });
  }

  private accountOf(backend: SlurmBackendRef, userName: string): string {
    try {
      return backend.accountOf(userName);
    } catch (err) {
      throw new HubError('backend_unavailable', (err as Error).message, { details: { backend: backend.name } });
    }
  }

  private async consume(userName: string): Promise<void> {
    try {
      await this.limiter.consume(userName);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new HubError('too_many_submissions', `${userName} submitted ${this.deps.submissionsPerMinute ?? DEFAULT_SUBMISSIONS_PER_MINUTE} batch jobs or dry runs in the last minute; try again in ${seconds} s.`, {
        headers: { 'Retry-After': String(seconds) },
        details: { retryAfterSeconds: seconds },
      });
    }
  }

  private async run(backend: SlurmBackendRef, cmd: SchedulerCommand): Promise<CommandResult> {
    try {
      return await backend.runner.run(cmd);
    } catch (err) {
      if (err instanceof SchedulerUnreachableError) {
        throw new HubError('scheduler_unavailable', `The scheduler of ${backend.name} cannot be reached: ${err.message}`, { details: { backend: backend.name } });
      }
      throw err;
    }
  }
}

/** The estimated cost: price per hour × walltime (null units when the walltime is the partition's default). */
export function costOf(profile: ProfileConfig, spec: Pick<JobSpec, 'walltimeSeconds'>): BatchJobCost {
  const price = profile.pricePerHour ?? 0;
  const seconds = spec.walltimeSeconds ?? null;
  return { units: seconds === null ? null : roundUnits((price * seconds) / 3600), pricePerHour: price, walltimeSeconds: seconds };
}

function refused(r: CommandResult): HubError {
  const why = firstLine(r.stderr) || firstLine(r.stdout) || `sbatch exited with ${r.code}`;
  return new HubError('job_refused', `Slurm refused the job: ${why}`, { details: { scheduler: why } });
}

function unavailableError(backend: SlurmBackendRef, program: string, r: CommandResult): HubError {
  return new HubError('scheduler_unavailable', `The scheduler of ${backend.name} did not answer (${program}: ${firstLine(r.stderr) || `exit ${r.code}`}).`, { details: { backend: backend.name } });
}
