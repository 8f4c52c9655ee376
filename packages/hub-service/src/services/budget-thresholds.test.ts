import { describe, expect, it } from '@jest/globals';
import { AT_FULL_NO_ACTION, newThreshold, percentUsed, thresholdMessage } from './budget-thresholds';

describe('budget thresholds', () => {
  it('computes the percent used, a zero budget counting as used up', () => {
    expect(percentUsed({ amount: 50, spent: 41 })).toBeCloseTo(82);
    expect(percentUsed({ amount: 0, spent: 0 })).toBe(100);
  });

  it.each([
    [79.9, null, null],
    [80, null, 80],
    [82, null, 80],
    [82, 80, null],
    [96, 80, 95],
    [120, null, 95],
    [99, 95, null],
  ])('at %p %% (told %p) the new threshold is %p', (percent, told, expected) => {
    expect(newThreshold(percent, [80, 95], told)).toBe(expected);
  });

  it('has nothing to say without thresholds', () => {
    expect(newThreshold(150, [], null)).toBeNull();
  });

  it('words the user and the group notice', () => {
    expect(thresholdMessage({ kind: 'user', name: 'alice', amount: 50, spent: 41 }, 'month', 'this server will be stopped')).toBe(
      'Your budget is 82 % used: 41 of 50 CU this month; at 100 % this server will be stopped.',
    );
    expect(thresholdMessage({ kind: 'group', name: 'cps', amount: 20, spent: 19.123 }, 'month', AT_FULL_NO_ACTION)).toBe(
      'The budget of group cps is 95 % used: 19.12 of 20 CU this month; at 100 % no new server can be started.',
    );
  });
});
