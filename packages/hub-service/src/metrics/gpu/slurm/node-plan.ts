/**
 * The plan of one Slurm sampling round, as a pure function: which nodes to run nvidia-smi on (one
 * run per node, through one of the hub's jobs there, as that job's user), which GPU indices each
 * server's job holds on each node, and which servers hold no GPU at all (they need no run).
 */
import type { JobGpusEntry } from '../../../spawners/batch/slurm/gpu-jobs';

/** A running server of the backend with its job. */
export interface SlurmServerJob {
  /** The server's key (`user/server`). */
  readonly key: string;
  /** Its Slurm job id. */
  readonly jobId: string;
  /** The account the job was submitted as. */
  readonly account: string;
}

/** A server holding GPUs on a node. */
export interface NodeHolder {
  readonly key: string;
  readonly jobId: string;
  /** The node's GPU GRES indices its job holds there. */
  readonly indices: readonly number[];
}

/** One nvidia-smi run. */
export interface NodeRun {
  readonly node: string;
  /** The job whose step runs it (`srun --jobid`), and its account (who runs it). */
  readonly jobId: string;
  readonly account: string;
  /** The servers holding GPUs on the node. */
  readonly holders: readonly NodeHolder[];
}

/** What a round does. */
export interface SlurmPlan {
  /** One run per node where the hub's servers hold GPUs, in the order the servers came. */
  readonly runs: readonly NodeRun[];
  /** Per server holding GPUs: the nodes that must answer for it to get a reading. */
  readonly nodesOf: ReadonlyMap<string, readonly string[]>;
  /** Servers whose running job holds no GPU: their reading has no device. */
  readonly withoutGpus: readonly string[];
  /** Jobs that could not be read or that run as another account (`job <id>` → why): no reading. */
  readonly problems: ReadonlyMap<string, string>;
}

/**
 * Plans a round from the servers and the parsed `scontrol show job -d` answer. A job the controller
 * no longer lists, or that is not `RUNNING` (completing, suspended), gets no reading this round (a
 * gap; the spawner's poll notices the end). A job running as another account than the server's
 * (a recycled job id) is a problem, never sampled.
 */
export function planSlurmRound(servers: readonly SlurmServerJob[], jobs: ReadonlyMap<string, JobGpusEntry>): SlurmPlan {
  const runs = new Map<string, { node: string; jobId: string; account: string; holders: NodeHolder[] }>();
  const nodesOf = new Map<string, string[]>();
  const withoutGpus: string[] = [];
  const problems = new Map<string, string>();
  for (const server of servers) {
    const entry = jobs.get(server.jobId);
    if (entry === undefined) continue;
    if (entry.kind === 'unreadable') {
      problems.set(`job ${server.jobId}`, entry.reason);
      continue;
    }
    const { job } = entry;
    if (job.user !== server.account) {
      problems.set(`job ${server.jobId}`, `job ${server.jobId} runs as ${job.user}, not as ${server.account} (the server's account)`);
      continue;
    }
    if (job.state !== 'RUNNING') continue;
    const held = [...job.nodes].filter(([, indices]) => indices.length > 0);
    if (held.length === 0) {
      withoutGpus.push(server.key);
      continue;
    }
    nodesOf.set(server.key, held.map(([node]) => node));
    for (const [node, indices] of held) {
      const run = runs.get(node) ?? { node, jobId: server.jobId, account: server.account, holders: [] };
      run.holders.push({ key: server.key, jobId: server.jobId, indices });
      runs.set(node, run);
    }
  }
  return { runs: [...runs.values()], nodesOf, withoutGpus, problems };
}
