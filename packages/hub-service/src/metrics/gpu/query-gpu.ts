/**
 * GPU samples from `nvidia-smi --query-gpu=… --format=csv[,noheader][,nounits]`. The fields read
 * (any subset, in any order): `timestamp`, `index`, `uuid`, `name`, `utilization.gpu`,
 * `memory.used`, `memory.total`, `power.draw` (or `power.draw.instant` / `power.draw.average`).
 */
import { cellValue, parseQueryCsv } from './csv-table';
import type { GpuSample } from './sample';
import { parseCount, parseQuantity, parseText, parseTimestamp } from './values';

const POWER_FIELDS = ['power.draw', 'power.draw.instant', 'power.draw.average'];

/**
 * Parses `--query-gpu` CSV output into one sample per GPU row (no processes: those come from
 * `--query-compute-apps`, see `attachProcesses`).
 *
 * @param fields the query's field list, required for `noheader` output.
 * @throws NvidiaSmiParseError on malformed output.
 */
export function parseQueryGpu(text: string, fields?: readonly string[]): GpuSample[] {
  const table = parseQueryCsv(text, fields);
  return table.rows.map((row) => {
    const power = POWER_FIELDS.map((field) => cellValue(table, row, field, parseQuantity)).find((v) => v !== null);
    return {
      at: cellValue(table, row, 'timestamp', parseTimestamp),
      index: cellValue(table, row, 'index', parseCount),
      uuid: cellValue(table, row, 'uuid', parseText),
      name: cellValue(table, row, 'name', parseText),
      utilizationPercent: cellValue(table, row, 'utilization.gpu', parseQuantity),
      memoryUsedBytes: cellValue(table, row, 'memory.used', parseQuantity),
      memoryTotalBytes: cellValue(table, row, 'memory.total', parseQuantity),
      powerWatts: power ?? null,
      processes: [],
    };
  });
}
