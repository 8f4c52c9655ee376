/**
 * The neutral GPU sample model every source (nvidia-smi CSV, `nvidia-smi -q -x`, `dmon`, later DCGM)
 * is parsed into, so the classifier, the ring buffer and the API never see a tool's format.
 */

/** Bytes in one MiB: nvidia-smi's `MiB` (and `dmon`'s `MB`) are binary megabytes. */
export const MIB = 1024 * 1024;

/** One process using a GPU (or a MIG device) at the time of the sample. */
export interface GpuProcessSample {
  /** Process id as the tool reports it (the host's pid namespace for nvidia-smi on bare metal). */
  readonly pid: number;
  /** Device memory the process holds, in bytes; null when the tool does not say. */
  readonly usedMemoryBytes: number | null;
  /** Process name as the tool prints it (`python3`); null when absent. */
  readonly name: string | null;
}

/**
 * One reading of one GPU, or of one MIG device (then `gpuInstanceId`/`computeInstanceId` are set and
 * `uuid`/`index` are the parent GPU's, unless the source names the MIG device itself).
 */
export interface GpuSample {
  /** When the reading was taken, ms since the epoch; null when the source carries no time. */
  readonly at: number | null;
  /** GPU index as the tool numbers it; null when absent. */
  readonly index: number | null;
  /** GPU UUID (`GPU-…`), or a MIG device UUID (`MIG-…`) where the source gives one; null when absent. */
  readonly uuid: string | null;
  /** Product name (`NVIDIA H200`); null when absent. */
  readonly name: string | null;
  /** MIG GPU instance id, for a MIG device sample only. */
  readonly gpuInstanceId?: number;
  /** MIG compute instance id, for a MIG device sample only. */
  readonly computeInstanceId?: number;
  /**
   * GPU utilisation in percent (share of the last sample period in which a kernel ran); null when
   * the tool reports none (`[N/A]`, `[Not Supported]`, and always for a MIG device in nvidia-smi).
   */
  readonly utilizationPercent: number | null;
  /** Device memory in use, in bytes; null when unknown. */
  readonly memoryUsedBytes: number | null;
  /** Device memory in total, in bytes; null when unknown. */
  readonly memoryTotalBytes: number | null;
  /** Power draw in watts; null when unknown (and for MIG devices). */
  readonly powerWatts: number | null;
  /** Processes on this device; empty when none run or the source does not list them. */
  readonly processes: readonly GpuProcessSample[];
}

/** The readings of the devices one server holds, taken at one time. */
export interface GpuReading {
  /** When, ms since the epoch. */
  readonly at: number;
  /** One sample per device the server holds (none: it holds no GPU memory anywhere). */
  readonly devices: readonly GpuSample[];
}

/** A stable key for a device: its UUID, or `#<index>`, plus `/gi/ci` for a MIG device. */
export function deviceKey(sample: Pick<GpuSample, 'uuid' | 'index' | 'gpuInstanceId' | 'computeInstanceId'>): string {
  const base = sample.uuid ?? `#${sample.index ?? '?'}`;
  if (sample.gpuInstanceId === undefined) return base;
  return `${base}/${sample.gpuInstanceId}/${sample.computeInstanceId ?? '?'}`;
}
