/**
 * The device list of `nvidia-smi -L`: GPUs with their UUIDs and, under MIG, the MIG devices
 * (`  MIG 1g.5gb      Device  0: (UUID: MIG-…)`) with theirs, which the XML of older drivers lacks.
 */
import { NvidiaSmiParseError } from './values';

/** One MIG device line. */
export interface ListedMigDevice {
  /** The MIG device's index on its GPU (the `<mig_device><index>` of the XML). */
  readonly index: number;
  /** Profile name as printed (`1g.5gb`, `3g.71gb`): it depends on the card, never assume one. */
  readonly profile: string;
  /** Its UUID (`MIG-…`, or `MIG-GPU-…/gi/ci` on R450–R460 drivers). */
  readonly uuid: string;
}

/** One GPU line and the MIG device lines under it. */
export interface ListedGpu {
  /** GPU index. */
  readonly index: number;
  /** Product name. */
  readonly name: string;
  /** GPU UUID. */
  readonly uuid: string;
  /** MIG devices (empty without MIG). */
  readonly migDevices: readonly ListedMigDevice[];
}

const GPU_LINE = /^GPU (\d+): (.+?) \(UUID: ([^)]+)\)$/;
const MIG_LINE = /^MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]+)\)$/;

/**
 * Parses the stdout of `nvidia-smi -L`.
 *
 * @throws NvidiaSmiParseError on a line that is neither a GPU nor a MIG device line, or a MIG line
 *   before any GPU.
 */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: { index: number; name: string; uuid: string; migDevices: ListedMigDevice[] }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const gpu = GPU_LINE.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2] ?? '', uuid: gpu[3] ?? '', migDevices: [] });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    const parent = gpus[gpus.length - 1];
    if (!mig || !parent) throw new NvidiaSmiParseError(`unexpected line in nvidia-smi -L output: ${JSON.stringify(line)}`);
    parent.migDevices.push({ index: Number(mig[2]), profile: mig[1] ?? '', uuid: mig[3] ?? '' });
  }
  return gpus;
}
