/**
 * One node's nvidia-smi report given to the jobs that hold its GPUs, as a pure function. Slurm's
 * GRES index `i` on a node is the node's `i`-th device a job can hold, in nvidia-smi's order: each
 * GPU without MIG, and each MIG device of a GPU in MIG mode ({@link holdableDevices}). That is the
 * order `AutoDetect=nvml` gives; a hand-written gres.conf must list the devices in that order.
 * Every process on a job's device is counted as the job's.
 */
import { holdableDevices, type XmlReport } from '../query-xml';
import type { GpuSample } from '../sample';
import type { GpuSourceDevice } from '../source';
import type { NodeHolder } from './node-plan';

/** A node's devices with their holders, and each holder's samples. */
export interface NodeDevices {
  /** Every device of the node a job can hold, in nvidia-smi's order. */
  readonly devices: readonly GpuSourceDevice[];
  /** Per server key: the samples of the devices its job holds on the node. */
  readonly held: ReadonlyMap<string, readonly GpuSample[]>;
}

/** A report that does not fit what Slurm allocated on the node. */
export class NodeDevicesMismatchError extends Error {
  override readonly name: string = 'NodeDevicesMismatchError';
}

/**
 * The devices of `node` from its report, stamped `at`, with the servers holding them.
 *
 * @throws NodeDevicesMismatchError when a job holds an index the report does not have (nvidia-smi
 *   sees fewer devices than Slurm allocates: a step that sees only its own devices, a gres.conf
 *   that declares more devices than the node has).
 */
export function nodeDevices(node: string, report: XmlReport, holders: readonly NodeHolder[], at: number): NodeDevices {
  const samples = holdableDevices(report).map((sample) => ({ ...sample, at }));
  const holdersOf = samples.map((): string[] => []);
  const held = new Map<string, GpuSample[]>();
  for (const holder of holders) {
    const mine: GpuSample[] = [];
    for (const index of holder.indices) {
      const sample = samples[index];
      if (sample === undefined) {
        throw new NodeDevicesMismatchError(
          `job ${holder.jobId} holds GPU index ${index} on ${node}, but nvidia-smi there reports ${samples.length} device(s)` +
            (samples.length === 0 ? ' (does a job step see the GPUs? cgroup ConstrainDevices hides them)' : ''),
        );
      }
      mine.push(sample);
      holdersOf[index]?.push(holder.key);
    }
    held.set(holder.key, [...(held.get(holder.key) ?? []), ...mine]);
  }
  return { devices: samples.map((sample, i) => ({ sample, holders: holdersOf[i] ?? [], node })), held };
}
