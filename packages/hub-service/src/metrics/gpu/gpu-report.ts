/**
 * The GPU API's wire models (`/hub/api/clusterhub/…/gpu`, `/hub/api/clusterhub/gpus`), built
 * purely from readings, so the HTTP layer only parses, asks and renders. Times are ISO 8601
 * strings, memory in bytes, utilisation in percent (null where the tool reports none, as for a MIG
 * device through nvidia-smi).
 */
import { classifyReading, classifySample, gpuIdleSince, type GpuActivity, type GpuIdlePolicy } from './classify';
import type { GpuReading, GpuSample } from './sample';

/** One device (a whole GPU or a MIG device) in a reading. */
export interface GpuDeviceModel {
  /** Short label: the GPU index, plus `/<gpu instance>/<compute instance>` for a MIG device (`0`, `0/1/0`). */
  readonly gpu: string;
  /** GPU UUID, or the MIG device's own UUID where the tool gives one; null when unknown. */
  readonly uuid: string | null;
  /** Product name (`NVIDIA H200`); null when unknown. */
  readonly name: string | null;
  /** MIG GPU instance id; null for a whole GPU. */
  readonly gpuInstanceId: number | null;
  /** MIG compute instance id; null for a whole GPU. */
  readonly computeInstanceId: number | null;
  /** Utilisation in percent; null when the tool reports none. */
  readonly utilizationPercent: number | null;
  /** Device memory in use, bytes; null when unknown. */
  readonly memoryUsedBytes: number | null;
  /** Device memory in total, bytes; null when unknown. */
  readonly memoryTotalBytes: number | null;
  /** Class of this device's sample. */
  readonly activity: GpuActivity;
  /** The processes on it (of the server, in a server's reading; all of them in the overview). */
  readonly processes: readonly { readonly pid: number; readonly usedMemoryBytes: number | null }[];
}

/** One reading of a server's devices. */
export interface GpuReadingModel {
  /** When it was taken (ISO 8601). */
  readonly at: string;
  /** Class of the reading: the most active of its devices; `idle` when it holds none. */
  readonly activity: GpuActivity;
  /** The devices the server held then (none: it held no GPU memory). */
  readonly devices: readonly GpuDeviceModel[];
}

/** Sampling settings shown with the readings, so a client can tell a gap from a normal pause. */
export interface GpuSamplingModel {
  /** Seconds between two samples. */
  readonly intervalSeconds: number;
  /** How far back readings are kept, seconds. */
  readonly historySeconds: number;
  /** Utilisation (percent) from which a device is busy. */
  readonly thresholdPercent: number;
}

/** `GET /hub/api/clusterhub/users/{name}/servers/{server}/gpu`. */
export interface ServerGpuModel extends GpuSamplingModel {
  /** The server's owner. */
  readonly user: string;
  /** The server's name (`""` for the default server). */
  readonly server: string;
  /** Profile slug it runs (or last ran) with. */
  readonly profile: string | null;
  /** The server's state (`running`, `stopped`, …): a stopped server has no readings. */
  readonly state: string;
  /**
   * Class of the newest reading when it is fresh; `unknown` when there is none or the newest is
   * older than the longest gap the hub still counts as continuous (sampling failed or stalled).
   */
  readonly activity: GpuActivity;
  /** Since when the server has been GPU-idle without a gap (ISO 8601); null when it is not. */
  readonly idleSince: string | null;
  /** The readings, oldest first. */
  readonly readings: readonly GpuReadingModel[];
}

/** Who holds a device. */
export interface GpuHolderModel {
  readonly user: string;
  readonly server: string;
  readonly profile: string | null;
}

/** One device of the admin overview. */
export interface GpuOverviewDeviceModel extends GpuDeviceModel {
  /** The servers whose processes use it (none: free, or used outside the hub's servers). */
  readonly holders: readonly GpuHolderModel[];
  /** The source that saw it (`local`, `slurm:<backend>`, `dcgm:<backend>`). */
  readonly source: string;
  /** The node it is on; null for the hub's own machine. */
  readonly node: string | null;
}

/** The state of one GPU source in the admin overview. */
export interface GpuSourceStateModel {
  /** Its name (`local`, `slurm:<backend>`, `dcgm:<backend>`). */
  readonly name: string;
  /** When its last successful round was taken (ISO 8601); null before the first. */
  readonly at: string | null;
  /** Why its newest round failed, or which nodes failed in it; null when all worked. */
  readonly lastError: string | null;
}

/** `GET /hub/api/clusterhub/gpus`: every GPU and MIG device of the last successful sample. */
export interface GpuOverviewModel extends GpuSamplingModel {
  /** When the newest successful round of any source was taken (ISO 8601); null before the first. */
  readonly at: string | null;
  /** Why the newest round failed (every failing source's reason, `; `-joined); null when all worked. */
  readonly lastError: string | null;
  /** Every device a server can hold, per source in the tool's order. */
  readonly devices: readonly GpuOverviewDeviceModel[];
  /** Each source's state. */
  readonly sources: readonly GpuSourceStateModel[];
}

/** The short label of a device ({@link GpuDeviceModel.gpu}). */
export function deviceLabel(sample: Pick<GpuSample, 'index' | 'uuid' | 'gpuInstanceId' | 'computeInstanceId'>): string {
  const base = sample.index === null ? (sample.uuid ?? '?') : String(sample.index);
  if (sample.gpuInstanceId === undefined) return base;
  return `${base}/${sample.gpuInstanceId}/${sample.computeInstanceId ?? '?'}`;
}

/** A device sample as the API shows it. */
export function deviceModel(sample: GpuSample, policy: GpuIdlePolicy): GpuDeviceModel {
  return {
    gpu: deviceLabel(sample),
    uuid: sample.uuid,
    name: sample.name,
    gpuInstanceId: sample.gpuInstanceId ?? null,
    computeInstanceId: sample.computeInstanceId ?? null,
    utilizationPercent: sample.utilizationPercent,
    memoryUsedBytes: sample.memoryUsedBytes,
    memoryTotalBytes: sample.memoryTotalBytes,
    activity: classifySample(sample, policy),
    processes: sample.processes.map((p) => ({ pid: p.pid, usedMemoryBytes: p.usedMemoryBytes })),
  };
}

/** A server reading as the API shows it. */
export function readingModel(reading: GpuReading, policy: GpuIdlePolicy): GpuReadingModel {
  return {
    at: new Date(reading.at).toISOString(),
    activity: classifyReading(reading, policy),
    devices: reading.devices.map((device) => deviceModel(device, policy)),
  };
}

/** What {@link serverGpuModel} needs besides the readings. */
export interface ServerGpuQuery extends GpuSamplingModel {
  readonly user: string;
  readonly server: string;
  readonly profile: string | null;
  readonly state: string;
  /** The time of the question, ms since the epoch. */
  readonly now: number;
  /** The longest gap between readings (and since the newest) still counted as continuous, ms. */
  readonly maxGapMs: number;
}

/** The GPU model of one server from its readings (oldest first). */
export function serverGpuModel(readings: readonly GpuReading[], query: ServerGpuQuery): ServerGpuModel {
  const policy: GpuIdlePolicy = { thresholdPercent: query.thresholdPercent };
  const newest = readings[readings.length - 1];
  const fresh = newest !== undefined && query.now - newest.at <= query.maxGapMs;
  const since = gpuIdleSince(readings, { ...policy, now: query.now, maxGapMs: query.maxGapMs });
  return {
    user: query.user,
    server: query.server,
    profile: query.profile,
    state: query.state,
    intervalSeconds: query.intervalSeconds,
    historySeconds: query.historySeconds,
    thresholdPercent: query.thresholdPercent,
    activity: fresh ? classifyReading(newest, policy) : 'unknown',
    idleSince: since === null ? null : new Date(since).toISOString(),
    readings: readings.map((reading) => readingModel(reading, policy)),
  };
}
