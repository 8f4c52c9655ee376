/**
 * GPU-aware idleness, pure: each reading of the devices a server holds is `idle` (nothing held),
 * `held-idle` (memory held by a process but utilisation under the threshold), `busy`, or `unknown`
 * (memory held and no utilisation reported, e.g. a MIG device through nvidia-smi). A server is
 * GPU-idle for a period when every reading over it is `idle` or `held-idle`: a notebook that keeps
 * a model on the GPU without computing is idle although its memory is allocated.
 */
import { MIB, type GpuReading, type GpuSample } from './sample';

/** The class of one reading. */
export type GpuActivity = 'idle' | 'held-idle' | 'busy' | 'unknown';

/** Thresholds of the classification. */
export interface GpuIdlePolicy {
  /** Utilisation (percent) from which a device is busy; below it, idle or held-idle. */
  readonly thresholdPercent: number;
  /**
   * Memory in use from which a device counts as held although no process is listed (default
   * {@link DEFAULT_HELD_MEMORY_BYTES}): a card with nothing running may report a few MiB in use,
   * a CUDA context takes hundreds.
   */
  readonly heldMemoryBytes?: number;
}

/** Default of {@link GpuIdlePolicy.heldMemoryBytes}: 16 MiB. */
export const DEFAULT_HELD_MEMORY_BYTES = 16 * MIB;

/** Classifies one device's sample. */
export function classifySample(sample: GpuSample, policy: GpuIdlePolicy): GpuActivity {
  const util = sample.utilizationPercent;
  if (util !== null && util >= policy.thresholdPercent) return 'busy';
  const heldBytes = policy.heldMemoryBytes ?? DEFAULT_HELD_MEMORY_BYTES;
  const held = sample.processes.length > 0 || (sample.memoryUsedBytes ?? 0) >= heldBytes;
  if (!held) return 'idle';
  return util === null ? 'unknown' : 'held-idle';
}

const RANK: Readonly<Record<GpuActivity, number>> = { idle: 0, 'held-idle': 1, unknown: 2, busy: 3 };

/**
 * Classifies a server's reading: the most active of its devices (one busy device makes the server
 * busy; an unknown one makes it unknown unless another is busy); `idle` when it holds none.
 */
export function classifyReading(reading: GpuReading, policy: GpuIdlePolicy): GpuActivity {
  return reading.devices
    .map((device) => classifySample(device, policy))
    .reduce<GpuActivity>((worst, activity) => (RANK[activity] > RANK[worst] ? activity : worst), 'idle');
}

/** Whether a class counts as GPU-idle (`idle` or `held-idle`). */
export function isIdleActivity(activity: GpuActivity): boolean {
  return activity === 'idle' || activity === 'held-idle';
}

/** A run of consecutive readings of one class. */
export interface ActivityWindow {
  /** The class. */
  readonly activity: GpuActivity;
  /** Time of the first reading of the run. */
  readonly from: number;
  /** Time of the last reading of the run. */
  readonly to: number;
  /** How many readings. */
  readonly count: number;
}

/** Splits a series (oldest first) into runs of readings of one class. */
export function classifyWindows(series: readonly GpuReading[], policy: GpuIdlePolicy): ActivityWindow[] {
  const windows: ActivityWindow[] = [];
  for (const reading of series) {
    const activity = classifyReading(reading, policy);
    const last = windows[windows.length - 1];
    if (last && last.activity === activity) windows[windows.length - 1] = { ...last, to: reading.at, count: last.count + 1 };
    else windows.push({ activity, from: reading.at, to: reading.at, count: 1 });
  }
  return windows;
}

/** The question "GPU-idle for at least `periodMs` with threshold `thresholdPercent`, as of `now`?". */
export interface GpuIdleQuery extends GpuIdlePolicy {
  /** The period the server must have been GPU-idle, in ms. */
  readonly periodMs: number;
  /** The time of the question, ms since the epoch. */
  readonly now: number;
  /**
   * The longest gap between two readings (and between the last reading and `now`) that still
   * counts as continuous observation; a longer gap (the collector failed, nvidia-smi hung) means
   * "not known to be idle".
   */
  readonly maxGapMs: number;
}

/**
 * Since when the server has been GPU-idle without interruption: the time of the first reading of
 * the trailing run of idle or held-idle readings with no gap over `maxGapMs`; null when the last
 * reading is not idle, or is older than `maxGapMs` before `now`.
 */
export function gpuIdleSince(series: readonly GpuReading[], query: Omit<GpuIdleQuery, 'periodMs'>): number | null {
  let since: number | null = null;
  let next = query.now;
  for (let i = series.length - 1; i >= 0; i -= 1) {
    const reading = series[i];
    if (!reading || next - reading.at > query.maxGapMs) break;
    if (!isIdleActivity(classifyReading(reading, query))) break;
    since = reading.at;
    next = reading.at;
  }
  return since;
}

/**
 * Whether the series shows the server GPU-idle (every reading idle or held-idle, observed without
 * gaps) for at least `periodMs` up to `now`. Missing or stale readings never count as idle, so a
 * server is never called idle on data the hub does not have.
 */
export function isGpuIdleFor(series: readonly GpuReading[], query: GpuIdleQuery): boolean {
  const since = gpuIdleSince(series, query);
  return since !== null && query.now - since >= query.periodMs;
}
