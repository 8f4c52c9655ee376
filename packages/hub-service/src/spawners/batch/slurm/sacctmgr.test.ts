import { defaultAccountArgs, offeredChoice, parseAssociations, parseDefaultAccount, sacctmgrArgs } from './sacctmgr';

describe('sacctmgrArgs', () => {
  it('asks for the associations of one user', () => {
    expect(sacctmgrArgs('alice')).toEqual(['--noheader', '--parsable2', 'show', 'associations', 'where', 'user=alice', 'format=Account,Partition,QOS']);
  });
  it('refuses a user name that could be another argument', () => {
    for (const bad of ['alice bob', 'alice,bob', 'a=b', '-x', '', 'ａlice']) expect(() => sacctmgrArgs(bad)).toThrow(RangeError);
  });
});

describe('defaultAccountArgs / parseDefaultAccount', () => {
  it('asks for and reads the default account', () => {
    expect(defaultAccountArgs('alice')).toEqual(['--noheader', '--parsable2', 'show', 'user', 'alice', 'format=User,DefaultAccount']);
    expect(() => defaultAccountArgs('alice bob')).toThrow(RangeError);
    expect(parseDefaultAccount('alice|physics\n')).toBe('physics');
    expect(parseDefaultAccount('alice|\n')).toBeNull();
  });
});

describe('parseAssociations', () => {
  it('collects accounts, partitions (any when one association names none) and QoS', () => {
    const parsed = parseAssociations(['physics||normal,gpu-short', 'chem|gpu|normal', 'chem|cpu|normal', 'sacctmgr: odd line', ''].join('\n'));
    expect(parsed).toEqual({
      accounts: ['chem', 'physics'],
      partitions: 'any',
      qos: ['gpu-short', 'normal'],
      byAccount: [
        { account: 'physics', partitions: 'any', qos: ['gpu-short', 'normal'] },
        { account: 'chem', partitions: ['cpu', 'gpu'], qos: ['normal'] },
      ],
    });
  });

  it('gives a partition list when every association names one; accepts a trailing |', () => {
    expect(parseAssociations('chem|gpu|normal|\nchem|cpu|normal|\n')).toMatchObject({ accounts: ['chem'], partitions: ['cpu', 'gpu'], qos: ['normal'] });
    expect(parseAssociations('')).toEqual({ accounts: [], partitions: [], qos: [], byAccount: [] });
  });
});

describe('offeredChoice', () => {
  it("narrows the profile's choices to what the user may use", () => {
    expect(offeredChoice(['physics', 'chem', 'bio'], ['chem', 'physics'])).toEqual(['physics', 'chem']);
    expect(offeredChoice('any', ['chem'])).toEqual(['chem']);
    expect(offeredChoice(['gpu'], 'any')).toEqual(['gpu']);
    expect(offeredChoice('any', 'any')).toBe('any');
    expect(offeredChoice(undefined, ['chem'])).toBeNull();
  });
});
