import { formatSlurmTime, oneJobHistoryArgs, oneJobQueueArgs, userHistoryArgs, userQueueArgs } from './user-jobs';
import { parseSlurmTime } from './time';

describe('user job listings', () => {
  it('lists one account’s queue and recent allocations', () => {
    expect(userQueueArgs('alice')).toEqual(['--noheader', '--array', expect.stringMatching(/^--format=%i\|/), '--user=alice']);
    const since = new Date(2026, 10, 23, 8, 5, 9);
    expect(userHistoryArgs('alice', since)).toEqual(['--noheader', '--parsable2', '--allocations', '--user=alice', '--starttime=2026-11-23T08:05:09', expect.stringMatching(/^--format=JobID,State,/)]);
    expect(parseSlurmTime(formatSlurmTime(since))).toEqual(since);
  });

  it('asks about one checked job id', () => {
    expect(oneJobQueueArgs('123')).toContain('--jobs=123');
    expect(oneJobQueueArgs('123')).toContain('--states=all');
    expect(oneJobHistoryArgs('12_3')).toContain('--jobs=12_3');
  });

  it.each([['alice,bob'], ['-u'], ['a b'], [''], ['root;id']])('refuses the account %j', (account) => {
    expect(() => userQueueArgs(account)).toThrow(RangeError);
    expect(() => userHistoryArgs(account, new Date())).toThrow(RangeError);
  });

  it.each([['1,2'], ['--all'], ['12a'], ['']])('refuses the job id %j', (id) => {
    expect(() => oneJobQueueArgs(id)).toThrow(RangeError);
    expect(() => oneJobHistoryArgs(id)).toThrow(RangeError);
  });
});
