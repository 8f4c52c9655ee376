import { formatWalltime, parseSchedulerDuration, parseWalltime } from './duration';

describe('parseWalltime (strict [D-]HH:MM:SS)', () => {
  it('reads hours, minutes, seconds and days', () => {
    expect(parseWalltime('00:30:00')).toBe(1800);
    expect(parseWalltime('4:00:00')).toBe(14400);
    expect(parseWalltime('1-12:00:05')).toBe(129605);
  });
  it('refuses anything else', () => {
    for (const bad of ['', '30:00', '1:2:3', '00:60:00', '00:00:60', '1-', '-1:00:00', '1234-00:00:00', '01:00:00 ', ' 01:00:00', '０1:00:00', 'UNLIMITED']) {
      expect(parseWalltime(bad)).toBeNull();
    }
  });
});

describe('formatWalltime', () => {
  it('writes HH:MM:SS, with days only when there are some', () => {
    expect(formatWalltime(0)).toBe('00:00:00');
    expect(formatWalltime(3661)).toBe('01:01:01');
    expect(formatWalltime(129605)).toBe('1-12:00:05');
  });
});

describe('parseSchedulerDuration (what squeue, sacct and qstat print)', () => {
  it('reads every short form Slurm prints', () => {
    expect(parseSchedulerDuration('5')).toBe(300);
    expect(parseSchedulerDuration('30:00')).toBe(1800);
    expect(parseSchedulerDuration('1:00:00')).toBe(3600);
    expect(parseSchedulerDuration('2-00:00:00')).toBe(172800);
    expect(parseSchedulerDuration('2-03')).toBe(183600);
    expect(parseSchedulerDuration('2-03:10')).toBe(184200);
    expect(parseSchedulerDuration(' 1:00:00 ')).toBe(3600);
  });
  it('gives null for "no limit" words and garbage, never throws', () => {
    for (const none of ['UNLIMITED', 'INVALID', 'N/A', 'Partition_Limit', '', 'abc', '1:x', '--']) {
      expect(parseSchedulerDuration(none)).toBeNull();
    }
  });
});
