/**
 * Per-process GPU utilisation from `nvidia-smi pmon` (e.g. `-c 1 -s u`): one row per process per
 * GPU and sample, `-` where the process had no sample in the interval (it did not compute). Used
 * where two servers share one whole GPU, whose utilisation nvidia-smi otherwise reports only for
 * the GPU as a whole (docs/gpu-metrics.md, "Shared GPUs"). pmon is not MIG-aware: GPUs by index.
 */
import { readHashTable } from './hash-table';
import { parseCount, parseQuantity } from './values';

/** One pmon row. */
export interface PmonRow {
  /** GPU index. */
  readonly gpu: number;
  /** The process. */
  readonly pid: number;
  /** SM utilisation of this process, percent; 0 when pmon printed `-` (no sample: no kernel ran). */
  readonly smPercent: number;
}

/**
 * Parses pmon output; rows without a pid (pmon prints `-` for a GPU with no process) are left out.
 *
 * @throws NvidiaSmiParseError on malformed output.
 */
export function parsePmon(text: string): PmonRow[] {
  return readHashTable(text, 'pmon', true).flatMap((row) => {
    const pid = parseCount(row.cell('pid') ?? '-');
    const gpu = parseCount(row.cell('gpu') ?? '-');
    if (pid === null || gpu === null) return [];
    return [{ gpu, pid, smPercent: parseQuantity(row.cell('sm') ?? '-', '%') ?? 0 }];
  });
}

/** Each process's highest SM utilisation over the rows (several samples), by `gpu/pid`. */
export function smByProcess(rows: readonly PmonRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.gpu}/${row.pid}`;
    out.set(key, Math.max(out.get(key) ?? 0, row.smPercent));
  }
  return out;
}
