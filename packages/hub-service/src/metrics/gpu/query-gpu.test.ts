import { FAKE_MIG, H200, readCapture, readFixture } from './testing/fixtures';
import { attachProcesses, parseQueryComputeApps } from './query-apps';
import { parseQueryGpu } from './query-gpu';
import { parseQueryCsv } from './csv-table';
import { MIB } from './sample';
import { NvidiaSmiParseError } from './values';

const UUID = 'GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48';

/** The field list of the real captures (capture.sh's Q). */
function queryFields(command: string): string[] {
  const match = /--query-gpu=(\S+)/.exec(command);
  if (!match?.[1]) throw new Error(`no --query-gpu in ${command}`);
  return match[1].split(',');
}

describe('parseQueryGpu on the real H200 captures', () => {
  it('reads --format=csv (header with units)', () => {
    const capture = readCapture(H200, 'query-gpu-idle-csv.txt');
    expect(capture.rc).toBe(0);
    expect(parseQueryGpu(capture.output)).toEqual([
      {
        at: Date.UTC(2026, 10, 30, 15, 14, 5, 18),
        index: 0,
        uuid: UUID,
        name: 'NVIDIA H200',
        utilizationPercent: 0,
        memoryUsedBytes: 0,
        memoryTotalBytes: 143771 * MIB,
        powerWatts: 109.06,
        processes: [],
      },
    ]);
  });

  it('reads --format=csv,noheader,nounits with the query field list, to the same values', () => {
    const capture = readCapture(H200, 'query-gpu-idle-csv-nounits.txt');
    const [sample] = parseQueryGpu(capture.output, queryFields(capture.command));
    expect(sample).toMatchObject({ index: 0, uuid: UUID, utilizationPercent: 0, memoryUsedBytes: 0, memoryTotalBytes: 143771 * MIB, powerWatts: 108.1 });
    // clocks.sm is printed as clocks.current.sm: both names give the same column.
    const table = parseQueryCsv(capture.output, queryFields(capture.command));
    expect(table.rows[0]?.get('clocks.current.sm')).toBe('375');
  });

  it('reads every row of the timeline (47 samples, 500 ms apart, the load visible)', () => {
    const samples = parseQueryGpu(readFixture(H200, 'query-gpu-timeline.csv'));
    expect(samples).toHaveLength(47);
    expect(samples.map((s) => s.utilizationPercent)).toContain(100);
    expect(Math.max(...samples.map((s) => s.memoryUsedBytes ?? 0))).toBe(9203 * MIB);
  });

  it('reads [N/A] utilisation of a GPU in MIG mode as unknown (fake MIG output)', () => {
    const samples = parseQueryGpu(readCapture(FAKE_MIG, 'query-gpu-csv.txt').output);
    expect(samples.map((s) => [s.index, s.utilizationPercent, s.memoryUsedBytes])).toEqual([
      [0, null, 4231 * MIB],
      [1, 87, 12011 * MIB],
    ]);
  });

  it('maps columns by header name, whatever their order, and refuses ragged rows', () => {
    const text = 'memory.used [MiB], uuid, utilization.gpu [%]\n5 MiB, GPU-x, [Not Supported]\n';
    expect(parseQueryGpu(text)[0]).toMatchObject({ uuid: 'GPU-x', memoryUsedBytes: 5 * MIB, utilizationPercent: null, index: null });
    expect(() => parseQueryGpu('index, uuid\n0\n')).toThrow(NvidiaSmiParseError);
    expect(() => parseQueryGpu('')).toThrow(/no header/);
  });
});

describe('parseQueryComputeApps on the real H200 captures', () => {
  it('reads no process from the idle capture, and the load (pid 462, 8968 MiB) from the busy one', () => {
    expect(parseQueryComputeApps(readCapture(H200, 'apps-idle.txt').output)).toEqual([]);
    expect(parseQueryComputeApps(readCapture(H200, 'apps-busy.txt').output)).toEqual([
      { pid: 462, gpuUuid: UUID, usedMemoryBytes: 8968 * MIB, name: 'python3', at: Date.UTC(2026, 10, 30, 15, 14, 14, 463) },
    ]);
  });

  it('keeps a process name with ", " in it whole, and reads noheader output with the query list', () => {
    const apps = parseQueryComputeApps('7, GPU-x, my, odd name, 12\n', ['pid', 'gpu_uuid', 'process_name', 'used_memory']);
    expect(apps).toEqual([{ pid: 7, gpuUuid: 'GPU-x', name: 'my, odd name', usedMemoryBytes: 12 * MIB, at: null }]);
  });

  it('attaches processes to the GPU whose UUID they name', () => {
    const [gpu] = parseQueryGpu(readCapture(H200, 'query-gpu-idle-csv.txt').output);
    const apps = parseQueryComputeApps(readCapture(H200, 'apps-busy.txt').output);
    if (!gpu) throw new Error('no sample');
    expect(attachProcesses([gpu], apps)[0]?.processes).toEqual([{ pid: 462, usedMemoryBytes: 8968 * MIB, name: 'python3' }]);
    expect(attachProcesses([{ ...gpu, uuid: 'GPU-other' }], apps)[0]?.processes).toEqual([]);
  });
});
