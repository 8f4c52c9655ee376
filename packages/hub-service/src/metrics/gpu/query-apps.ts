/**
 * Compute processes from `nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory,…
 * --format=csv[,noheader][,nounits]`, and attaching them to the GPU samples they run on.
 */
import { cellValue, parseQueryCsv } from './csv-table';
import type { GpuProcessSample, GpuSample } from './sample';
import { NvidiaSmiParseError, parseCount, parseQuantity, parseText, parseTimestamp } from './values';

/** One row of `--query-compute-apps`: a process and the GPU it runs on. */
export interface ComputeApp extends GpuProcessSample {
  /** UUID of the GPU the process runs on (the parent GPU's under MIG); null when not queried. */
  readonly gpuUuid: string | null;
  /** When nvidia-smi took the row, ms since the epoch (see `parseTimestamp`); null when not queried. */
  readonly at: number | null;
}

/**
 * Parses `--query-compute-apps` CSV output. No process running prints the header alone: an empty
 * list.
 *
 * @param fields the query's field list, required for `noheader` output.
 * @throws NvidiaSmiParseError on malformed output, or when the `pid` column is missing or empty.
 */
export function parseQueryComputeApps(text: string, fields?: readonly string[]): ComputeApp[] {
  const table = parseQueryCsv(text, fields);
  return table.rows.map((row) => {
    const pid = cellValue(table, row, 'pid', parseCount);
    if (pid === null) throw new NvidiaSmiParseError('compute-apps row without a pid (query pid in --query-compute-apps)');
    return {
      pid,
      gpuUuid: cellValue(table, row, 'gpu_uuid', parseText),
      usedMemoryBytes: cellValue(table, row, 'used_gpu_memory', parseQuantity),
      name: cellValue(table, row, 'process_name', parseText),
      at: cellValue(table, row, 'timestamp', parseTimestamp),
    };
  });
}

/**
 * The samples with each compute app added to the processes of the GPU whose UUID it names; apps
 * on a GPU not among the samples are left out.
 */
export function attachProcesses(samples: readonly GpuSample[], apps: readonly ComputeApp[]): GpuSample[] {
  return samples.map((sample) => {
    const mine = apps.filter((app) => app.gpuUuid !== null && app.gpuUuid === sample.uuid);
    if (mine.length === 0) return sample;
    const added = mine.map(({ pid, usedMemoryBytes, name }) => ({ pid, usedMemoryBytes, name }));
    return { ...sample, processes: [...sample.processes, ...added] };
  });
}
