/**
 * The port every GPU source implements: the local nvidia-smi collector (local-process servers),
 * nvidia-smi on the compute nodes of Slurm jobs, and the DCGM exporter of a Kubernetes cluster.
 * The GPU monitor asks each source once per interval about the running servers it serves; a
 * source runs one command or scrape per node for all of them, never one per server.
 */
import type { ServerRecord } from '../../store/store';
import type { GpuReading, GpuSample } from './sample';

/** A running server as the monitor hands it to a source. */
export interface GpuWatchedServer {
  /** The key its readings are recorded under (`user/server`, see `serverKey`). */
  readonly key: string;
  /** The owner's name. */
  readonly user: string;
  /** The server's name (`""` for the default server). */
  readonly server: string;
  /** The profile it runs. */
  readonly profile: string | null;
  /** When it started, ms since the epoch; null when unknown. */
  readonly startedAt: number | null;
  /** The store's record (backend, spawner kind, handle: pid, job id, pod name…). */
  readonly record: ServerRecord;
}

/** One device a source saw, with the servers holding it. */
export interface GpuSourceDevice {
  /** The device's sample (every process on it). */
  readonly sample: GpuSample;
  /** Keys of the watched servers holding it (none: free, or used by no watched server). */
  readonly holders: readonly string[];
  /** The node it is on, for sources that see several (Slurm, Kubernetes); null for the hub's machine. */
  readonly node: string | null;
}

/** What one sampling round of a source found. */
export interface GpuSourceOutcome {
  /** When it sampled, ms since the epoch. */
  readonly at: number;
  /**
   * One reading per server the source measured this round, by key. A server it was asked about
   * and could not measure (its node did not answer) has no entry: a gap, never "idle".
   */
  readonly readings: ReadonlyMap<string, GpuReading>;
  /** Every device seen this round. */
  readonly devices: readonly GpuSourceDevice[];
  /** Per-node failures of this round (node → message); the other nodes' readings still count. */
  readonly failures?: ReadonlyMap<string, string>;
}

/** A source of GPU readings; see the module comment. */
export interface GpuSource {
  /** A short name for logs and the admin overview (`local`, `slurm:hpc`, `dcgm:k8s`). */
  readonly name: string;
  /** Whether this source measures the server (by its backend and spawner kind). */
  serves(server: GpuWatchedServer): boolean;
  /**
   * One sampling round for these servers (those it serves). Rejects when it could not sample at
   * all (the command is missing, the endpoint is down): the monitor records a failure, no reading.
   */
  collect(servers: readonly GpuWatchedServer[]): Promise<GpuSourceOutcome>;
  /** Releases what it holds (SSH connections); called once when the monitor stops. */
  close?(): Promise<void>;
}
