/**
 * GPU samples from `nvidia-smi dmon` (e.g. `-s pucm`): fixed-width columns under `#` header lines
 * (names, then units), one row per GPU per interval. Columns are mapped by their header name; the
 * ones read are `gpu` (index), `sm` (%), `fb` (MB, binary), `pwr` (W), and `Date`/`Time` when
 * printed (`-o DT`). MIG devices appear in dmon only as their parent GPU.
 */
import type { GpuSample } from './sample';
import { readHashTable, type HashTableRow } from './hash-table';
import { parseCount, parseQuantity } from './values';

function rowTime(row: HashTableRow): number | null {
  const date = /^(\d{4})(\d{2})(\d{2})$/.exec(row.cell('Date') ?? '');
  const time = /^(\d{2}):(\d{2}):(\d{2})$/.exec(row.cell('Time') ?? '');
  if (!date || !time) return null;
  return Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), Number(time[1]), Number(time[2]), Number(time[3]));
}

/**
 * Parses `nvidia-smi dmon` output. Without `-o DT` the rows carry no time (`at` is null): see
 * {@link spaceDmonSamples}.
 *
 * @throws NvidiaSmiParseError when a data row comes before the header or has the wrong number of
 *   cells.
 */
export function parseDmon(text: string): GpuSample[] {
  return readHashTable(text, 'dmon').map((row) => {
    const quantity = (name: string): number | null => parseQuantity(row.cell(name) ?? '-', row.unitOf(name));
    return {
      at: rowTime(row),
      index: parseCount(row.cell('gpu') ?? '-'),
      uuid: null,
      name: null,
      utilizationPercent: quantity('sm'),
      memoryUsedBytes: quantity('fb'),
      memoryTotalBytes: null,
      powerWatts: quantity('pwr'),
      processes: [],
    };
  });
}

/**
 * Gives dmon rows that carry no time one: the n-th row of each GPU is taken `start + n * intervalMs`
 * (dmon prints every GPU once per interval, `-d` seconds apart).
 */
export function spaceDmonSamples(samples: readonly GpuSample[], start: number, intervalMs: number): GpuSample[] {
  const seen = new Map<number | null, number>();
  return samples.map((sample) => {
    const n = seen.get(sample.index) ?? 0;
    seen.set(sample.index, n + 1);
    return { ...sample, at: start + n * intervalMs };
  });
}
