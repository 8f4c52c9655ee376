import { freeFor, freeGres, parseGres, parseSinfo, sinfoArgs } from './sinfo';

// sinfo --noheader --Node --Format='NodeHost:64|,Partition:64|,StateLong:32|,Gres:512|,GresUsed:512|' (padding trimmed here)
const NODES = [
  'gpu1|cpu*|mixed|gpu:a100:2(S:0-1),gpu:1g.5gb:7(S:0)|gpu:a100:2(IDX:0-1),gpu:1g.5gb:1(IDX:2)|',
  'gpu1|gpu|mixed|gpu:a100:2(S:0-1),gpu:1g.5gb:7(S:0)|gpu:a100:2(IDX:0-1),gpu:1g.5gb:1(IDX:2)|',
  'gpu2|gpu|idle|gpu:a100:4|gpu:a100:0(IDX:N/A)|',
  'gpu3|gpu|drained|gpu:a100:4|gpu:a100:0(IDX:N/A)|',
  'gpu4|gpu|down*|gpu:a100:4|gpu:a100:0(IDX:N/A)|',
  'cpu1|cpu*|allocated|(null)|gpu:0|',
  'sinfo: error: odd line',
].join('\n');

describe('sinfoArgs', () => {
  it('asks one line per node with wide, delimited columns', () => {
    expect(sinfoArgs()).toEqual(['--noheader', '--Node', '--Format=NodeHost:64|,Partition:64|,StateLong:32|,Gres:512|,GresUsed:512|']);
    expect(sinfoArgs(['gpu'])).toContain('--partition=gpu');
    expect(() => sinfoArgs(['gpu;id'])).toThrow(RangeError);
  });
});

describe('parseGres', () => {
  it('reads typed, untyped and indexed entries, with commas inside parentheses', () => {
    expect(parseGres('gpu:a100:1(IDX:0,2),gpu:1g.5gb:0(IDX:N/A),gpu:3,shard:8')).toEqual([
      { name: 'gpu', type: 'a100', count: 1 },
      { name: 'gpu', type: '1g.5gb', count: 0 },
      { name: 'gpu', type: null, count: 3 },
      { name: 'shard', type: null, count: 8 },
    ]);
    expect(parseGres('(null)')).toEqual([]);
    expect(parseGres('')).toEqual([]);
  });
});

describe('parseSinfo / freeGres / freeFor', () => {
  const nodes = parseSinfo(NODES);

  it('reads nodes, partitions (default mark removed), states and gres; skips odd lines', () => {
    expect(nodes).toHaveLength(6);
    expect(nodes[0]).toEqual({
      node: 'gpu1',
      partition: 'cpu',
      state: 'mixed',
      gres: [
        { name: 'gpu', type: 'a100', count: 2 },
        { name: 'gpu', type: '1g.5gb', count: 7 },
      ],
      gresUsed: [
        { name: 'gpu', type: 'a100', count: 2 },
        { name: 'gpu', type: '1g.5gb', count: 1 },
      ],
    });
  });

  it('counts free units on usable nodes once each (drained and down nodes give nothing)', () => {
    expect(freeGres(nodes)).toEqual([
      { name: 'gpu', type: '1g.5gb', total: 7, used: 1, free: 6 },
      { name: 'gpu', type: 'a100', total: 6, used: 2, free: 4 },
    ]);
    expect(freeGres(nodes, 'cpu')).toEqual([
      { name: 'gpu', type: '1g.5gb', total: 7, used: 1, free: 6 },
      { name: 'gpu', type: 'a100', total: 2, used: 2, free: 0 },
    ]);
  });

  it('says how many jobs of a profile fit now', () => {
    const free = freeGres(nodes, 'gpu');
    expect(freeFor(free, 'gpu:a100:1')).toEqual({ free: 4, fits: 4 });
    expect(freeFor(free, 'gpu:a100:3')).toEqual({ free: 4, fits: 1 });
    expect(freeFor(free, 'gpu:1g.5gb:1')).toEqual({ free: 6, fits: 6 });
    expect(freeFor(free, 'gpu:2')).toEqual({ free: 10, fits: 5 });
    expect(freeFor(free, 'gpu:h100:1')).toEqual({ free: 0, fits: 0 });
    expect(freeFor(free, 'nonsense')).toBeNull();
  });

  it('reads blank-separated plain -O columns as the test-cluster fixtures have them', () => {
    const text = 'gpu1                                    gpu:a100:2(S:0),gpu:1g.5gb:7(S:0)                                               gpu:a100:1(IDX:0),gpu:1g.5gb:0(IDX:N/A)\n';
    const parsed = parseSinfo(text, ['NodeList', 'Gres', 'GresUsed']);
    expect(freeGres(parsed)).toEqual([
      { name: 'gpu', type: '1g.5gb', total: 7, used: 0, free: 7 },
      { name: 'gpu', type: 'a100', total: 2, used: 1, free: 1 },
    ]);
  });

  it("reads sinfoArgs()' real output: padded columns, each ended by |", () => {
    // As Slurm 22.05.8 printed it on the test cluster (node idle, in both partitions).
    const pad = (v: string, n: number): string => `${v.padEnd(n)}|`;
    const line = (p: string): string => [pad('vm', 64), pad(p, 64), pad('idle', 32), pad('gpu:a100:2,gpu:1g.5gb:7', 512), pad('gpu:a100:0(IDX:N/A),gpu:1g.5gb:0(IDX:N/A)', 512)].join('');
    const parsed = parseSinfo(`${line('cpu*')}\n${line('gpu')}\n`);
    expect(parsed.map((n) => [n.node, n.partition, n.state])).toEqual([
      ['vm', 'cpu', 'idle'],
      ['vm', 'gpu', 'idle'],
    ]);
    expect(freeFor(freeGres(parsed), 'gpu:a100:1')).toEqual({ free: 2, fits: 2 });
    expect(freeFor(freeGres(parsed, 'gpu'), 'gpu:1g.5gb:1')).toEqual({ free: 7, fits: 7 });
  });

  it('never throws on garbage', () => {
    expect(parseSinfo('|||||\n\u0000\n')).toEqual([]);
  });
});
