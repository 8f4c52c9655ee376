/**
 * The GPU source of one Slurm backend: per round, ONE `scontrol --oneliner --details show job` (as
 * the operator) for the GRES indices of all the backend's running jobs, then ONE nvidia-smi per
 * compute node, never one per server:
 * `srun --jobid=<a job there> --overlap -N1 -n1 --nodelist=<node> --gres=none <nodeNvidiaSmi> -q -x`
 * as that job's user, through the backend's command layer. Each server gets the devices of its own
 * job (docs/gpu-metrics.md, "Slurm").
 *
 * The step asks for no GRES (`--gres=none`): without device constraints it sees every GPU of the
 * node in the node's order, which the GRES indices refer to; with cgroup `ConstrainDevices` it sees
 * none, and the node fails with that said, rather than a step's renumbered view being given to the
 * wrong jobs. A node that fails (srun refused, a timeout, output that does not parse, fewer devices
 * than Slurm allocated) gives no reading for its servers this round (a gap, not idle) and is listed
 * in `failures`; the other nodes still count.
 */
import type { ResolvedBatchBackend, ResolvedConfig } from '../../../config/types';
import { systemClock, type Clock } from '../../../lib/clock';
import { batchHandleOf } from '../../../spawners/batch/batch-spawner';
import { createBackendCommandRunner } from '../../../spawners/batch/commands/backend-runner';
import type { CommandRunner } from '../../../spawners/batch/commands';
import { JOB_ID } from '../../../spawners/batch/slurm/fields';
import { parseJobGpus, scontrolJobDetailsArgs } from '../../../spawners/batch/slurm/gpu-jobs';
import { firstLine } from '../../../spawners/batch/slurm/slurm-dialect';
import type { SpawnerLogger } from '../../../spawners/spawner-logger';
import { parseQueryXml } from '../query-xml';
import type { GpuReading, GpuSample } from '../sample';
import type { GpuSource, GpuSourceDevice, GpuSourceOutcome, GpuWatchedServer } from '../source';
import { nodeDevices, type NodeDevices } from './node-devices';
import { planSlurmRound, type NodeRun, type SlurmServerJob } from './node-plan';

/** At most this many nodes are sampled at once (below OpenSSH's default of 10 sessions per connection). */
export const NODE_RUNS_AT_ONCE = 8;

/** The logging the source does (a pino logger fits). */
export type SlurmGpuLogger = Pick<SpawnerLogger, 'warn' | 'debug'>;

/** What {@link createSlurmGpuSource} needs. */
export interface SlurmGpuSourceOptions {
  /** The Slurm backend (its `name` is what server records name in `backend`). */
  readonly backend: ResolvedBatchBackend;
  /** The `gpuMetrics` settings: `nodeNvidiaSmi` and `commandTimeoutSeconds` are used. */
  readonly settings: Pick<ResolvedConfig['gpuMetrics'], 'nodeNvidiaSmi' | 'commandTimeoutSeconds'>;
  /**
   * Builds the runner the source uses and closes in {@link SlurmGpuSource.close} (default:
   * {@link createBackendCommandRunner}, its own SSH connections to the login nodes).
   */
  readonly createRunner?: (backend: ResolvedBatchBackend) => CommandRunner;
  /** Time source (default the system clock). */
  readonly clock?: Clock;
  /** Logger (default: none). */
  readonly logger?: SlurmGpuLogger;
}

/** The GPU source of one Slurm backend; see the module comment. */
export class SlurmGpuSource implements GpuSource {
  /** `slurm:<backend name>`. */
  readonly name: string;
  private readonly runner: CommandRunner;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  /** The last failure logged per node, so a node failing every round warns once. */
  private readonly lastFailures = new Map<string, string>();

  /** Builds the source and its runner; nothing runs before {@link collect}. */
  constructor(private readonly options: SlurmGpuSourceOptions) {
    if (options.backend.kind !== 'slurm') throw new Error(`backends.${options.backend.name}: a Slurm GPU source needs a slurm backend, not ${options.backend.kind}`);
    this.name = `slurm:${options.backend.name}`;
    this.runner = (options.createRunner ?? ((backend) => createBackendCommandRunner(backend)))(options.backend);
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.settings.commandTimeoutSeconds * 1000;
  }

  /** A running server of this backend whose handle holds a Slurm job id. */
  serves(server: GpuWatchedServer): boolean {
    return this.jobOf(server) !== null;
  }

  /**
   * One round for the servers it serves; see the module comment.
   *
   * @throws SchedulerUnreachableError when scontrol could not be run; Error when it failed.
   */
  async collect(servers: readonly GpuWatchedServer[]): Promise<GpuSourceOutcome> {
    const jobs = servers.flatMap((server) => this.jobOf(server) ?? []);
    if (jobs.length === 0) return { at: this.clock(), readings: new Map(), devices: [] };
    const answer = await this.runner.run({ program: 'scontrol', args: scontrolJobDetailsArgs(), timeoutMs: this.timeoutMs });
    if (answer.code !== 0) throw new Error(`scontrol show job failed on ${answer.host}: ${firstLine(answer.stderr) || `exit ${answer.code}`}`);
    const plan = planSlurmRound(jobs, parseJobGpus(answer.stdout, jobs.map((job) => job.jobId)));
    const outcomes = await inBatches(plan.runs, NODE_RUNS_AT_ONCE, (run) => this.sampleNode(run));
    const at = this.clock();
    const failures = new Map(plan.problems);
    const held = new Map<string, GpuSample[]>();
    const devices: GpuSourceDevice[] = [];
    outcomes.forEach((outcome, i) => {
      const node = plan.runs[i]?.node ?? '?';
      if (typeof outcome === 'string') {
        failures.set(node, outcome);
        return;
      }
      devices.push(...outcome.devices);
      for (const [key, samples] of outcome.held) held.set(key, [...(held.get(key) ?? []), ...samples]);
    });
    const readings = new Map<string, GpuReading>(plan.withoutGpus.map((key) => [key, { at, devices: [] }]));
    for (const [key, nodes] of plan.nodesOf) {
      if (nodes.every((node) => !failures.has(node))) readings.set(key, { at, devices: (held.get(key) ?? []).map((sample) => ({ ...sample, at })) });
    }
    this.logFailures(failures);
    return { at, readings, devices, ...(failures.size > 0 ? { failures } : {}) };
  }

  /** Closes the runner; later rounds fail. */
  async close(): Promise<void> {
    await this.runner.close();
  }

  private jobOf(server: GpuWatchedServer): SlurmServerJob | null {
    const { record } = server;
    if (record.backend !== this.options.backend.name || record.state !== 'running' || record.handle === null) return null;
    const handle = batchHandleOf(record.handle);
    // A handle from elsewhere with an id that is no Slurm job id is not this source's to sample.
    return handle && JOB_ID.test(handle.jobId) ? { key: server.key, jobId: handle.jobId, account: handle.account } : null;
  }

  /** Runs nvidia-smi on one node; the devices, or why the node failed. */
  private async sampleNode(run: NodeRun): Promise<NodeDevices | string> {
    const args = [`--jobid=${run.jobId}`, '--overlap', '-N1', '-n1', `--nodelist=${run.node}`, '--gres=none', this.options.settings.nodeNvidiaSmi, '-q', '-x'];
    try {
      const result = await this.runner.run({ program: 'srun', args, asUser: run.account, timeoutMs: this.timeoutMs });
      if (result.code !== 0) return `srun ${this.options.settings.nodeNvidiaSmi} as ${run.account} in job ${run.jobId} exited with ${result.code}: ${summary(result.stderr) || summary(result.stdout)}`;
      return nodeDevices(run.node, parseQueryXml(result.stdout), run.holders, this.clock());
    } catch (error: unknown) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Warns once per new failure of a node, and once when it answers again. */
  private logFailures(failures: ReadonlyMap<string, string>): void {
    const logger = this.options.logger;
    for (const [where, message] of failures) {
      if (this.lastFailures.get(where) !== message) logger?.warn({ source: this.name, where, error: message }, 'GPU sampling failed on a Slurm node');
      else logger?.debug({ source: this.name, where, error: message }, 'GPU sampling still failing on a Slurm node');
    }
    for (const where of this.lastFailures.keys()) if (!failures.has(where)) logger?.warn({ source: this.name, where }, 'GPU sampling works again on a Slurm node');
    this.lastFailures.clear();
    for (const [where, message] of failures) this.lastFailures.set(where, message);
  }
}

/** The non-empty lines of a command's output on one line (srun and slurmstepd each say part of why), at most 400 characters. */
function summary(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' / ')
    .slice(0, 400);
}

/** Runs `work` over `items`, at most `size` at once; results in the items' order. */
async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i];
      if (item !== undefined) results[i] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

/**
 * The GPU source of one Slurm backend (see {@link SlurmGpuSource}).
 *
 * @throws Error when the backend is not of kind slurm, or its runner cannot be built.
 */
export function createSlurmGpuSource(options: SlurmGpuSourceOptions): SlurmGpuSource {
  return new SlurmGpuSource(options);
}
