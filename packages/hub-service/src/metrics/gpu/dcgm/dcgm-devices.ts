/**
 * dcgm-exporter's series → the neutral {@link GpuSample}, one per device: each whole GPU without
 * MIG, and each MIG GPU instance of a GPU in MIG mode (series labelled `GPU_I_ID`; the parent GPU's
 * own series are left out, as for nvidia-smi: its memory and work belong to its instances). Pure.
 *
 * The fields read (dcgm-exporter's default counters, its label names):
 * - `DCGM_FI_DEV_GPU_UTIL` (percent) for a whole GPU; `DCGM_FI_PROF_GR_ENGINE_ACTIVE` (a ratio
 *   0..1, ×100) for a MIG instance, and for a whole GPU that reports no GPU_UTIL;
 * - `DCGM_FI_DEV_FB_USED`, `DCGM_FI_DEV_FB_FREE` (MiB; the total is their sum, or
 *   `DCGM_FI_DEV_FB_TOTAL` where exported), `DCGM_FI_DEV_POWER_USAGE` (W, whole GPUs only);
 * - labels `gpu`, `UUID`, `modelName`, `Hostname`, `GPU_I_ID`, `GPU_I_PROFILE`, and the pod
 *   mapping `pod`/`namespace`/`container` (or `pod_name`/`pod_namespace`/`container_name` of
 *   exporters run with the old names). A device shared by several pods has each of them.
 * Metric names are matched without regard to case. NaN and infinite values count as absent.
 */
import { MIB, type GpuSample } from '../sample';
import type { ExpositionSample } from './exposition';

/** A pod the exporter maps a device to. */
export interface DcgmPodRef {
  readonly namespace: string;
  readonly pod: string;
  /** The container; null when the exporter gives none. */
  readonly container: string | null;
}

/** One device an exporter reports. */
export interface DcgmDevice {
  /** The neutral sample (no processes: DCGM's pod mapping replaces them). */
  readonly sample: GpuSample;
  /** The node, from the `Hostname` label; null when absent. */
  readonly hostname: string | null;
  /** The MIG profile (`1g.5gb`) of a MIG instance; null for a whole GPU. */
  readonly migProfile: string | null;
  /** The pods holding it (empty: free, or the exporter maps no pods). */
  readonly pods: readonly DcgmPodRef[];
}

const FIELDS = {
  util: 'DCGM_FI_DEV_GPU_UTIL',
  grActive: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  fbUsed: 'DCGM_FI_DEV_FB_USED',
  fbFree: 'DCGM_FI_DEV_FB_FREE',
  fbTotal: 'DCGM_FI_DEV_FB_TOTAL',
  power: 'DCGM_FI_DEV_POWER_USAGE',
} as const;
type Field = keyof typeof FIELDS;
const FIELD_OF: ReadonlyMap<string, Field> = new Map(Object.entries(FIELDS).map(([field, name]) => [name, field as Field]));

interface Group {
  readonly gpu: string | null;
  readonly uuid: string | null;
  readonly name: string | null;
  readonly hostname: string | null;
  readonly instance: number | null;
  readonly profile: string | null;
  readonly values: Partial<Record<Field, number>>;
  readonly pods: Map<string, DcgmPodRef>;
}

function label(labels: Readonly<Record<string, string>>, ...names: string[]): string | null {
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') return value;
  }
  return null;
}

function podOf(labels: Readonly<Record<string, string>>): DcgmPodRef | null {
  const pod = label(labels, 'pod', 'pod_name');
  const namespace = label(labels, 'namespace', 'pod_namespace');
  if (pod === null || namespace === null) return null;
  return { namespace, pod, container: label(labels, 'container', 'container_name') };
}

function nonNegativeInt(text: string | null): number | null {
  return text !== null && /^\d+$/.test(text) ? Number(text) : null;
}

function groupKey(hostname: string | null, gpu: string | null, uuid: string | null, instance: number | null): string {
  return JSON.stringify([hostname, uuid ?? `#${gpu ?? '?'}`, instance]);
}

function groupsOf(samples: readonly ExpositionSample[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const s of samples) {
    const field = FIELD_OF.get(s.name.toUpperCase());
    if (field === undefined || !Number.isFinite(s.value)) continue;
    const l = s.labels;
    const gpu = label(l, 'gpu');
    const uuid = label(l, 'UUID', 'uuid');
    const hostname = label(l, 'Hostname');
    const instance = nonNegativeInt(label(l, 'GPU_I_ID'));
    const key = groupKey(hostname, gpu, uuid, instance);
    let group = groups.get(key);
    if (!group) {
      group = { gpu, uuid, name: label(l, 'modelName'), hostname, instance, profile: instance === null ? null : label(l, 'GPU_I_PROFILE'), values: {}, pods: new Map() };
      groups.set(key, group);
    }
    group.values[field] = s.value;
    const pod = podOf(l);
    if (pod) group.pods.set(JSON.stringify([pod.namespace, pod.pod, pod.container]), pod);
  }
  return groups;
}

function utilization(group: Group): number | null {
  const { util, grActive } = group.values;
  const fromRatio = grActive === undefined ? null : Math.min(100, Math.max(0, grActive * 100));
  if (group.instance !== null) return fromRatio;
  return util ?? fromRatio;
}

function toDevice(group: Group, at: number | null): DcgmDevice {
  const { fbUsed, fbFree, fbTotal, power } = group.values;
  const totalMib = fbTotal ?? (fbUsed !== undefined && fbFree !== undefined ? fbUsed + fbFree : undefined);
  const index = nonNegativeInt(group.gpu);
  const sample: GpuSample = {
    at,
    index,
    uuid: group.uuid,
    name: group.name,
    ...(group.instance !== null ? { gpuInstanceId: group.instance } : {}),
    utilizationPercent: utilization(group),
    memoryUsedBytes: fbUsed === undefined ? null : Math.round(fbUsed * MIB),
    memoryTotalBytes: totalMib === undefined ? null : Math.round(totalMib * MIB),
    powerWatts: group.instance === null ? (power ?? null) : null,
    processes: [],
  };
  return { sample, hostname: group.hostname, migProfile: group.profile, pods: [...group.pods.values()] };
}

/**
 * The devices in one exporter's samples (see the module comment), in the order first seen.
 *
 * @param at the time of the scrape, given to every sample.
 */
export function dcgmDevices(samples: readonly ExpositionSample[], at: number | null): DcgmDevice[] {
  const groups = [...groupsOf(samples).values()];
  const migParents = new Set(groups.filter((g) => g.instance !== null).map((g) => groupKey(g.hostname, g.gpu, g.uuid, null)));
  return groups.filter((g) => g.instance !== null || !migParents.has(groupKey(g.hostname, g.gpu, g.uuid, null))).map((g) => toDevice(g, at));
}
