import { H200, readCapture, readFixture } from './testing/fixtures';
import { parseDmon, spaceDmonSamples } from './dmon';
import { MIB } from './sample';
import { NvidiaSmiParseError } from './values';

describe('parseDmon on the real H200 captures', () => {
  it('reads dmon-idle: three idle rows of GPU 0', () => {
    const samples = parseDmon(readCapture(H200, 'dmon-idle.txt').output);
    expect(samples.map((s) => [s.index, s.utilizationPercent, s.memoryUsedBytes, s.powerWatts])).toEqual([
      [0, 0, 0, 102],
      [0, 0, 0, 78],
      [0, 0, 0, 78],
    ]);
    expect(samples.every((s) => s.at === null && s.uuid === null)).toBe(true);
  });

  it('reads dmon-timeline: 25 rows, idle, held (fb 8977/9203 MB), busy at 100 %, held, idle', () => {
    const samples = parseDmon(readFixture(H200, 'dmon-timeline.txt'));
    expect(samples).toHaveLength(25);
    expect(samples.map((s) => s.utilizationPercent)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0, 0, 0, 0, 0, 0, 0]);
    expect(samples[5]?.memoryUsedBytes).toBe(8977 * MIB);
    expect(samples[20]?.memoryUsedBytes).toBe(9203 * MIB);
  });
});

describe('parseDmon on other shapes', () => {
  it('reads Date/Time columns (-o DT), dashes as no value, and repeated headers', () => {
    const text = [
      '#Date       Time        gpu    pwr     sm     fb',
      '#YYYYMMDD   HH:MM:SS    Idx      W      %     MB',
      ' 20261130   15:14:08      0     78      -      0',
      '#Date       Time        gpu    pwr     sm     fb',
      '#YYYYMMDD   HH:MM:SS    Idx      W      %     MB',
      ' 20261130   15:14:09      0     96      7    512',
    ].join('\n');
    expect(parseDmon(text).map((s) => [s.at, s.utilizationPercent, s.memoryUsedBytes])).toEqual([
      [Date.UTC(2026, 10, 30, 15, 14, 8), null, 0],
      [Date.UTC(2026, 10, 30, 15, 14, 9), 7, 512 * MIB],
    ]);
  });

  it('refuses rows before a header or with the wrong number of cells', () => {
    expect(() => parseDmon('    0    78\n')).toThrow(NvidiaSmiParseError);
    expect(() => parseDmon('# gpu pwr\n# Idx W\n 0 78 9\n')).toThrow(/does not match/);
  });

  it('spaces rows without time one interval apart per GPU', () => {
    const rows = parseDmon('# gpu sm\n# Idx %\n 0 1\n 1 2\n 0 3\n 1 4\n');
    expect(spaceDmonSamples(rows, 1000, 500).map((s) => [s.index, s.at])).toEqual([
      [0, 1000],
      [1, 1000],
      [0, 1500],
      [1, 1500],
    ]);
  });
});
