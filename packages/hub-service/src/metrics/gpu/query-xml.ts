/**
 * GPU samples from `nvidia-smi -q -x` (the full XML report): per GPU its utilisation, memory, power
 * and processes, and with MIG enabled one sample per MIG device (`<mig_devices><mig_device>`), each
 * with the processes whose `<gpu_instance_id>`/`<compute_instance_id>` name it. One command gives
 * everything the collector needs, so it is the collector's source.
 */
import { XMLParser } from 'fast-xml-parser';
import type { GpuProcessSample, GpuSample } from './sample';
import { NvidiaSmiParseError, parseCount, parseQuantity, parseText, parseTimestamp } from './values';

/** One `<gpu>` of the report. */
export interface XmlGpu {
  /** The GPU as a whole (with MIG enabled nvidia-smi reports no utilisation for it). */
  readonly sample: GpuSample;
  /** Whether `<mig_mode><current_mig>` is `Enabled`. */
  readonly migEnabled: boolean;
  /** One sample per MIG device (empty when MIG is off or no instance exists). */
  readonly migDevices: readonly GpuSample[];
}

/** What `nvidia-smi -q -x` reports. */
export interface XmlReport {
  /** `<timestamp>` (see `parseTimestamp` for the zone); null when absent. */
  readonly at: number | null;
  /** `<driver_version>`; null when absent. */
  readonly driverVersion: string | null;
  /** The GPUs in the report's order (nvidia-smi's index order). */
  readonly gpus: readonly XmlGpu[];
}

/** Elements that may repeat, read as arrays even when there is one. */
const REPEATED = new Set(['gpu', 'mig_device', 'process_info']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => REPEATED.has(tagName),
});

type XmlNode = Readonly<Record<string, unknown>>;

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The element at `path` (slash-separated) below `node`, or undefined. */
function at(node: unknown, path: string): unknown {
  return path.split('/').reduce<unknown>((current, key) => (isNode(current) ? current[key] : undefined), node);
}

/** The text of the element at `path`; `''` (a placeholder) when it is absent or not text. */
function textAt(node: unknown, path: string): string {
  const value = at(node, path);
  return typeof value === 'string' ? value : '';
}

/** The nodes of a repeated element (`<processes><process_info>…`); none for `None` or empty. */
function listAt(node: unknown, path: string): XmlNode[] {
  const value = at(node, path);
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function firstQuantity(node: unknown, paths: readonly string[]): number | null {
  for (const path of paths) {
    const value = parseQuantity(textAt(node, path));
    if (value !== null) return value;
  }
  return null;
}

/** Power draw: `<gpu_power_readings>` since R535 (instant, then average), `<power_readings>` before. */
const POWER_PATHS = [
  'gpu_power_readings/instant_power_draw',
  'gpu_power_readings/power_draw',
  'gpu_power_readings/average_power_draw',
  'power_readings/power_draw',
];

interface ProcessRow {
  readonly process: GpuProcessSample;
  readonly gpuInstanceId: number | null;
  readonly computeInstanceId: number | null;
}

function readProcess(node: XmlNode): ProcessRow | null {
  const pid = parseCount(textAt(node, 'pid'));
  if (pid === null) return null;
  return {
    process: { pid, usedMemoryBytes: parseQuantity(textAt(node, 'used_memory')), name: parseText(textAt(node, 'process_name')) },
    gpuInstanceId: parseCount(textAt(node, 'gpu_instance_id')),
    computeInstanceId: parseCount(textAt(node, 'compute_instance_id')),
  };
}

function readMigDevice(parent: GpuSample, node: XmlNode, processes: readonly ProcessRow[]): GpuSample {
  const gpuInstanceId = parseCount(textAt(node, 'gpu_instance_id'));
  const computeInstanceId = parseCount(textAt(node, 'compute_instance_id'));
  if (gpuInstanceId === null || computeInstanceId === null) {
    throw new NvidiaSmiParseError(`<mig_device> of ${parent.uuid ?? 'a GPU'} without gpu/compute instance ids`);
  }
  const mine = processes.filter((row) => row.gpuInstanceId === gpuInstanceId && row.computeInstanceId === computeInstanceId);
  return {
    at: parent.at,
    index: parent.index,
    // Newer drivers name the MIG device (`MIG-…`); older ones leave it out: then the parent's UUID.
    uuid: parseText(textAt(node, 'uuid')) ?? parent.uuid,
    name: parent.name,
    gpuInstanceId,
    computeInstanceId,
    utilizationPercent: parseQuantity(textAt(node, 'utilization/gpu_util')),
    memoryUsedBytes: parseQuantity(textAt(node, 'fb_memory_usage/used')),
    memoryTotalBytes: parseQuantity(textAt(node, 'fb_memory_usage/total')),
    powerWatts: null,
    processes: mine.map((row) => row.process),
  };
}

function readGpu(node: XmlNode, index: number, reportAt: number | null): XmlGpu {
  const processes = listAt(node, 'processes/process_info').flatMap((p) => readProcess(p) ?? []);
  const migEnabled = textAt(node, 'mig_mode/current_mig') === 'Enabled';
  const onWholeGpu = processes.filter((row) => row.gpuInstanceId === null);
  const sample: GpuSample = {
    at: reportAt,
    index,
    uuid: parseText(textAt(node, 'uuid')),
    name: parseText(textAt(node, 'product_name')),
    utilizationPercent: parseQuantity(textAt(node, 'utilization/gpu_util')),
    memoryUsedBytes: parseQuantity(textAt(node, 'fb_memory_usage/used')),
    memoryTotalBytes: parseQuantity(textAt(node, 'fb_memory_usage/total')),
    powerWatts: firstQuantity(node, POWER_PATHS),
    processes: onWholeGpu.map((row) => row.process),
  };
  const migDevices = listAt(node, 'mig_devices/mig_device').map((mig) => readMigDevice(sample, mig, processes));
  return { sample, migEnabled, migDevices };
}

/**
 * Parses the stdout of `nvidia-smi -q -x`. A GPU's index is its position in the report (nvidia-smi
 * lists GPUs in index order; the XML carries no index).
 *
 * @throws NvidiaSmiParseError when the text is not an `nvidia_smi_log` document or a value is malformed.
 */
export function parseQueryXml(text: string): XmlReport {
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error: unknown) {
    throw new NvidiaSmiParseError(`nvidia-smi XML does not parse: ${error instanceof Error ? error.message : String(error)}`);
  }
  const log = at(document, 'nvidia_smi_log');
  if (!isNode(log)) throw new NvidiaSmiParseError('no <nvidia_smi_log> element in nvidia-smi XML output');
  const reportAt = parseTimestamp(textAt(log, 'timestamp'));
  return {
    at: reportAt,
    driverVersion: parseText(textAt(log, 'driver_version')),
    gpus: listAt(log, 'gpu').map((gpu, index) => readGpu(gpu, index, reportAt)),
  };
}

/**
 * The devices a server can hold: each whole GPU without MIG, and each MIG device of a GPU with MIG
 * (whose own sample is left out: its memory and processes belong to its MIG devices).
 */
export function holdableDevices(report: XmlReport): GpuSample[] {
  return report.gpus.flatMap((gpu) => (gpu.migEnabled ? gpu.migDevices : [gpu.sample]));
}
