import { parsePmon, smByProcess } from './pmon';
import { NvidiaSmiParseError } from './values';

const HEADER = ['# gpu         pid   type     sm    mem    enc    dec    jpg    ofa    command ', '# Idx           #    C/G      %      %      %      %      %      %    name '];

describe('nvidia-smi pmon', () => {
  it("reads each process's SM utilisation by GPU; `-` (no sample) is 0, a command with spaces stays whole", () => {
    const text = [...HEADER, '    0        482     C      -      -      -      -      -      -    python3 ', '    1        523     C     98     24      -      -      -      -    my trainer --fast ', '    2          -     -      -      -      -      -      -      -    - '].join('\n');
    expect(parsePmon(text)).toEqual([
      { gpu: 0, pid: 482, smPercent: 0 },
      { gpu: 1, pid: 523, smPercent: 98 },
    ]);
  });

  it('keeps the highest sample of each process over several samples and GPUs apart', () => {
    const rows = [
      { gpu: 0, pid: 7, smPercent: 3 },
      { gpu: 0, pid: 7, smPercent: 40 },
      { gpu: 1, pid: 7, smPercent: 5 },
    ];
    expect(smByProcess(rows)).toEqual(new Map([['0/7', 40], ['1/7', 5]]));
  });

  it('refuses a row before the header, or with too few cells', () => {
    expect(() => parsePmon('    0   482   C   1')).toThrow(NvidiaSmiParseError);
    expect(() => parsePmon([...HEADER, '    0   482   C   1'].join('\n'))).toThrow(/pmon row does not match its header/);
  });
});
