import { scancelArgs, timeLimitArgs } from './scancel';

describe('scancelArgs / timeLimitArgs', () => {
  it('builds the argv from checked ids', () => {
    expect(scancelArgs(['12', '13_2'])).toEqual(['12', '13_2']);
    expect(timeLimitArgs('12', 129600)).toEqual(['update', 'JobId=12', 'TimeLimit=1-12:00:00']);
  });
  it('refuses ids and limits that are not well-formed', () => {
    expect(() => scancelArgs(['--user=bob'])).toThrow(RangeError);
    expect(() => scancelArgs([])).toThrow(RangeError);
    expect(() => timeLimitArgs('12 13', 60)).toThrow(RangeError);
    expect(() => timeLimitArgs('12', 0)).toThrow(RangeError);
  });
});
