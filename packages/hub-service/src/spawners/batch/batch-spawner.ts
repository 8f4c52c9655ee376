import { userInfo } from 'node:os';
import type { ResolvedBatchBackend } from '../../config/types';
import { unixAccountName } from '../local-process/account-name';
import { silentSpawnerLogger, type SpawnerLogger } from '../spawner-logger';
import { SpawnError, type PollResult, type SpawnContext, type SpawnHandle, type SpawnRequest, type SpawnResult, type Spawner } from '../spawner';
import { abortError, sleep } from '../abort';
import { SchedulerUnreachableError, type CommandRunner } from './commands';
import type { JobInfo, SchedulerDialect, WatchedJob } from './dialect';
import { resolveJobSpec } from './job-spec';
import { pollResultOf } from './job-state';
import { jobName, type JobScriptContext } from './script-text';
import { JobWatch } from './job-watch';
import type { PendingReason } from './slurm/reasons';

/** How a message introduces the last lines of a job's output (as job-state.ts's finishedResult does). */
const TAIL_HEADING = '\nLast lines of its output:\n';

/** What a batch server's handle holds: enough to poll, stop and re-adopt it after a restart. */
export interface BatchHandle {
  readonly jobId: string;
  /** The cluster account the job runs as (scancel runs as it). */
  readonly account: string;
  readonly partition: string | null;
  /** Set once the server reported its port and the job runs. */
  readonly node?: string;
  readonly port?: number;
}

/** Reads a persisted handle; null when it is not a batch handle. */
export function batchHandleOf(handle: SpawnHandle): BatchHandle | null {
  const { jobId, account, partition } = handle;
  if (typeof jobId !== 'string' || typeof account !== 'string') return null;
  return { jobId, account, partition: typeof partition === 'string' ? partition : null };
}

/** Options of {@link BatchSpawner}. */
export interface BatchSpawnerOptions {
  readonly backend: ResolvedBatchBackend;
  readonly dialect: SchedulerDialect;
  /** The runner the dialect uses; closed with the backend. */
  readonly runner?: CommandRunner;
  /** The hub's start timeout: a grace extension never goes past it plus `startGraceSeconds`. */
  readonly startTimeoutSeconds: number;
  /** The account the commands run as without sudo (the hub's own, or the SSH operator). */
  readonly ownAccount?: string;
  readonly logger?: SpawnerLogger;
  /** Reads a job's output file as its account (local transport); without it, failures name the file only. */
  readonly readOutput?: (account: string, file: string) => Promise<string | null>;
  /** Seconds between queue queries while a server starts (default: the backend's poll interval, at most 3). */
  readonly startPollSeconds?: number;
}

/**
 * A backend that runs each server as a batch job (Slurm or PBS), submitted as the user. Start:
 * validate the options, render the job script, submit it on stdin as the user, persist the job id
 * at once, then follow the job through the shared queue watch (one query for all the hub's jobs)
 * while telling the user why it waits, until the server reports its port (`batchspawner-singleuser`)
 * and the job runs. Poll: one query per cycle for all servers (`pollMany`). Stop: cancel as the user.
 */
export class BatchSpawner implements Spawner {
  readonly kind: string;
  private readonly watch: JobWatch;
  private readonly logger: SpawnerLogger;
  /** The dialect's waiting reasons in words (undefined: Slurm's). */
  private readonly explain: ((raw: string) => PendingReason | null) | undefined;

  constructor(readonly opts: BatchSpawnerOptions) {
    this.kind = opts.dialect.kind;
    this.logger = opts.logger ?? silentSpawnerLogger;
    this.watch = new JobWatch(opts.dialect);
    this.explain = opts.dialect.explainReason?.bind(opts.dialect);
  }

  checkStart(request: Pick<SpawnRequest, 'profile' | 'userOptions'>): void {
    resolveJobSpec(request.profile, request.userOptions);
  }

  /** The cluster account of a hub user; refuses to submit as anyone else when commands run without sudo. */
  accountOf(userName: string): string {
    const account = unixAccountName(this.opts.backend.userTemplate, userName);
    if (!this.opts.backend.sudo) {
      const own = this.opts.ownAccount ?? userInfo().username;
      if (own === 'root' || own !== account) {
        throw new SpawnError(`backends.${this.opts.backend.name}.sudo is false, so jobs would run as ${own}, not as ${account}: refused.`);
      }
    }
    return account;
  }

  async start(request: SpawnRequest, ctx: SpawnContext): Promise<SpawnResult> {
    const { backend, dialect } = this.opts;
    const spec = resolveJobSpec(request.profile, request.userOptions);
    const account = this.accountOf(request.user.name);
    const home = backend.home.split('{account}').join(account);
    const scriptCtx: JobScriptContext = {
      jobName: jobName(request.server.id),
      user: account,
      home,
      output: backend.output,
      path: backend.path,
      env: { ...request.env, ...backend.environment, JUPYTERHUB_SERVICE_URL: `http://0.0.0.0:0${request.prefix}` },
      cmd: backend.cmd,
    };
    const script = dialect.renderScript(spec, scriptCtx);
    ctx.signal.throwIfAborted();
    ctx.onProgress({ progress: 20, message: `Submitting a ${dialect.kind === 'slurm' ? 'Slurm' : 'PBS'} job as ${account}…` });
    const jobId = await dialect.submit(script, account, { spec, ctx: scriptCtx });
    const handle: BatchHandle = { jobId, account, partition: spec.partition ?? null };
    this.logger.info({ jobId, account, backend: backend.name }, 'batch job submitted');
    try {
      await ctx.persistHandle?.({ ...handle });
      ctx.onProgress({ progress: 30, message: `Job ${jobId} submitted.` });
      const output = `${home}/${backend.output.split('%j').join(jobId)}`;
      const { node, port, end } = await this.follow(handle, ctx, output);
      return { handle: { ...handle, node, port, ...(end ? { end: end.toISOString() } : {}) }, target: `http://${node}:${port}` };
    } catch (err) {
      await dialect.cancel(jobId, account).catch((e: unknown) => this.logger.warn({ jobId, err: String(e) }, 'cancelling the job of a failed start failed'));
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      throw err;
    } finally {
      this.watch.untrack(jobId);
    }
  }

  /** Follows a submitted job until it runs and its server reported its port. */
  private async follow(handle: BatchHandle, ctx: SpawnContext, output: string): Promise<{ node: string; port: number; end: Date | null }> {
    const { backend } = this.opts;
    const started = Date.now();
    const cap = started + (this.opts.startTimeoutSeconds + backend.startGraceSeconds) * 1000;
    let port: number | null = null;
    const report = ctx.waitForPortReport?.() ?? Promise.reject(new SpawnError('this hub does not take port reports'));
    report.then((p) => (port = p)).catch(() => undefined);
    const intervalMs = (this.opts.startPollSeconds ?? Math.min(backend.pollIntervalSeconds, 3)) * 1000;
    let lastMessage = '';
    let pending = true;
    this.watch.track({ id: handle.jobId, partition: handle.partition, pending: true });
    for (;;) {
      ctx.signal.throwIfAborted();
      let info: JobInfo | null = null;
      try {
        info = await this.watch.observe([{ id: handle.jobId, partition: handle.partition, pending }]).then((m) => m.get(handle.jobId) ?? null);
      } catch (err) {
        if (!(err instanceof SchedulerUnreachableError)) throw err;
        this.say(ctx, `The scheduler cannot be reached right now (${err.message}); still trying.`, lastMessage);
      }
      if (info) {
        const result = pollResultOf(info.observation, new Date(), this.explain);
        if (result.status === 'stopped') throw new SpawnError(await this.failureMessage(result.message, handle.account, output));
        pending = result.status === 'pending';
        if (result.status === 'pending' && result.message) {
          lastMessage = this.say(ctx, result.message, lastMessage);
          const obs = info.observation;
          const expected = obs.kind === 'queued' ? obs.job.expectedStart : null;
          if (expected && expected.getTime() - Date.now() <= backend.startGraceSeconds * 1000) {
            ctx.extendDeadline?.(Math.min(cap, expected.getTime() + backend.startGraceSeconds * 1000));
          }
        }
        if (result.status === 'running') {
          if (port === null) lastMessage = this.say(ctx, `Job ${handle.jobId} runs on ${info.node ?? 'its node'}; waiting for the server to report its port…`, lastMessage, 50);
          else if (info.node) return { node: info.node, port, end: info.end };
        }
      }
      // Woken early by the port report only while it is awaited: once it came, racing the settled
      // report would end every wait at once (a loop asking the scheduler without pause).
      const wait = sleep(intervalMs, ctx.signal);
      await (port === null ? Promise.race([wait, report.catch(() => undefined)]) : wait);
    }
  }

  /**
   * Why a start failed: the scheduler's words, the output file, and its last lines when the backend
   * can read them as the user (the local transport; over SSH the hub may run only scheduler commands).
   */
  private async failureMessage(message: string | undefined, account: string, output: string): Promise<string> {
    // The scheduler's words may already carry the tail (the job's exit report in its comment).
    const [words = 'The job ended before the server started.', reported] = (message ?? '').split(TAIL_HEADING);
    const base = `${words || 'The job ended before the server started.'} Its output is in ${output}.`;
    const tail = (reported ?? (await this.opts.readOutput?.(account, output).catch(() => null)) ?? '').replace(/\s+$/, '');
    return tail ? `${base}${TAIL_HEADING}${tail}` : base;
  }

  /** Sends a progress message when it changed; returns the message now shown. */
  private say(ctx: SpawnContext, message: string, last: string, progress = 40): string {
    if (message !== last) ctx.onProgress({ progress, message });
    return message;
  }

  async poll(handle: SpawnHandle): Promise<PollResult> {
    const [result] = await this.pollMany([handle]);
    return result ?? { status: 'unknown', message: 'no answer' };
  }

  async pollMany(handles: readonly SpawnHandle[]): Promise<PollResult[]> {
    const jobs: { handle: BatchHandle | null; watched: WatchedJob | null }[] = handles.map((h) => {
      const handle = batchHandleOf(h);
      return { handle, watched: handle ? { id: handle.jobId, partition: handle.partition, pending: false } : null };
    });
    const watched = jobs.flatMap((j) => (j.watched ? [j.watched] : []));
    let infos: Map<string, JobInfo>;
    try {
      infos = await this.watch.observe(watched);
    } catch (err) {
      const message = err instanceof SchedulerUnreachableError ? `The scheduler cannot be reached: ${err.message}` : String(err);
      return jobs.map(() => ({ status: 'unknown', message }));
    }
    const now = new Date();
    return jobs.map(({ handle }) => {
      if (!handle) return { status: 'stopped', exitCode: null, message: 'Not a batch job handle.' };
      const info = infos.get(handle.jobId);
      return info ? pollResultOf(info.observation, now, this.explain) : { status: 'unknown', message: `no news of job ${handle.jobId}` };
    });
  }

  async stop(raw: SpawnHandle, opts: { timeoutSeconds: number }): Promise<void> {
    const handle = batchHandleOf(raw);
    if (!handle) return;
    await this.opts.dialect.cancel(handle.jobId, handle.account);
    const deadline = Date.now() + opts.timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      const [result] = await this.pollMany([raw]);
      if (result?.status === 'stopped') return;
      await sleep(500);
    }
    this.logger.warn({ jobId: handle.jobId }, `job still listed ${opts.timeoutSeconds} s after scancel`);
  }

  /**
   * Adds `minutes` to a running job's time limit (as the operator) and resolves with its new end.
   *
   * @throws SpawnError when the job does not run, has no known limit, or the scheduler refuses.
   */
  async extend(raw: SpawnHandle, minutes: number): Promise<Date> {
    const handle = batchHandleOf(raw);
    const { dialect } = this.opts;
    if (!handle || !dialect.setTimeLimit) throw new SpawnError('This backend cannot extend a time limit.');
    const watched = { id: handle.jobId, partition: handle.partition, pending: false };
    const before = (await dialect.observe([watched])).get(handle.jobId);
    if (before?.observation.kind !== 'queued' || before.observation.job.phase !== 'running' || !before.timeLimitSeconds) {
      throw new SpawnError(`Job ${handle.jobId} is not running with a time limit.`);
    }
    await dialect.setTimeLimit(handle.jobId, before.timeLimitSeconds + minutes * 60);
    const after = (await dialect.observe([watched])).get(handle.jobId);
    if (!after?.end) throw new SpawnError(`Job ${handle.jobId} has no end time after the extension.`);
    this.logger.info({ jobId: handle.jobId, minutes, end: after.end.toISOString() }, 'job time limit extended');
    return after.end;
  }

  async close(): Promise<void> {
    await this.opts.runner?.close();
  }
}
