import type { JobInfo, SchedulerDialect, WatchedJob } from './dialect';

/**
 * One queue query for all of a backend's jobs: concurrent asks share the query in flight, an
 * answer younger than `freshMs` that covers the ask is reused, and every query includes the jobs
 * of starts in progress. So polling N servers costs one scheduler call per cycle, whatever N
 * (batchspawner's pattern costs N). Hints (partition, pending) learnt from answers plan the next query.
 */
export class JobWatch {
  private readonly starting = new Map<string, WatchedJob>();
  private readonly hints = new Map<string, WatchedJob>();
  private inflight: { readonly ids: ReadonlySet<string>; readonly promise: Promise<Map<string, JobInfo>> } | null = null;
  private last: { readonly at: number; readonly result: Map<string, JobInfo> } | null = null;
  /** Queries sent to the scheduler so far (benchmarks, tests). */
  queries = 0;

  constructor(
    private readonly dialect: SchedulerDialect,
    private readonly freshMs = 1500,
  ) {}

  /** Includes a starting job in every query until {@link untrack}. */
  track(job: WatchedJob): void {
    this.starting.set(job.id, job);
  }

  /** Stops including a job that finished starting. */
  untrack(id: string): void {
    this.starting.delete(id);
    this.hints.delete(id);
  }

  /**
   * What the scheduler says of `jobs` (and of the starting ones).
   *
   * @throws SchedulerUnreachableError when the queue cannot be read.
   */
  async observe(jobs: readonly WatchedJob[]): Promise<Map<string, JobInfo>> {
    const ids = jobs.map((j) => j.id);
    const last = this.last;
    if (last && Date.now() - last.at < this.freshMs && ids.every((id) => last.result.has(id))) return last.result;
    const flight = this.inflight;
    if (flight && ids.every((id) => flight.ids.has(id))) return flight.promise;
    const all = new Map<string, WatchedJob>();
    for (const job of [...this.starting.values(), ...jobs]) all.set(job.id, this.hints.get(job.id) ?? job);
    const promise = this.query([...all.values()]);
    this.inflight = { ids: new Set(all.keys()), promise };
    try {
      return await promise;
    } finally {
      if (this.inflight?.promise === promise) this.inflight = null;
    }
  }

  private async query(jobs: readonly WatchedJob[]): Promise<Map<string, JobInfo>> {
    this.queries += 1;
    const result = await this.dialect.observe(jobs);
    this.last = { at: Date.now(), result };
    for (const job of jobs) {
      const info = result.get(job.id);
      const obs = info?.observation;
      if (!info || obs?.kind !== 'queued') {
        this.hints.delete(job.id);
        continue;
      }
      this.hints.set(job.id, { id: job.id, partition: info.partition ?? job.partition, pending: obs.job.phase === 'pending' });
    }
    return result;
  }
}
