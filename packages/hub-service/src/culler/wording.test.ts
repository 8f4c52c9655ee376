import { clockTime, duration } from './wording';

describe('culler wording', () => {
  it('says UTC clock times and whole minutes, hours from two hours on', () => {
    expect(clockTime(Date.UTC(2026, 10, 30, 14, 20, 59))).toBe('14:20 UTC');
    expect(duration(20_000)).toBe('less than a minute');
    expect(duration(60_000)).toBe('1 minute');
    expect(duration(3_600_000)).toBe('60 minutes');
    expect(duration(90 * 60_000)).toBe('90 minutes');
    expect(duration(8 * 3_600_000)).toBe('8 hours');
    expect(duration(150 * 60_000)).toBe('150 minutes');
  });
});
