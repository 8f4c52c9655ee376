import { explainReason } from './reasons';

describe('explainReason', () => {
  it.each([
    ['Priority', /higher priority are ahead/],
    ['(Resources)', /nodes, CPUs, memory or GPUs this job needs are busy/],
    ['QOSMaxGRESPerUser', /QoS limit of GPUs.*one of your other jobs ends/],
    ['AssocGrpGRES', /account's group is at its limit of GPUs/],
    ['Dependency', /another job it depends on/],
    ['BeginTime', /begin time is in the future/],
    ['JobHeldUser', /held by its owner/],
    ['JobHeldAdmin', /held by an administrator/],
    ['InvalidAccount', /account is not valid/],
  ])('%s in plain words', (raw, text) => {
    expect(explainReason(raw)?.text).toMatch(text);
  });

  it('marks reasons that waiting will not fix', () => {
    expect(explainReason('PartitionTimeLimit')).toMatchObject({ code: 'PartitionTimeLimit', blocked: true });
    expect(explainReason('QOSMaxWallDurationPerJobLimit')).toMatchObject({ blocked: true, text: expect.stringMatching(/shorter walltime/) });
    expect(explainReason('InvalidAccount')?.blocked).toBe(true);
    expect(explainReason('Priority')?.blocked).toBe(false);
  });

  it('reads the ReqNodeNotAvail variants', () => {
    expect(explainReason('ReqNodeNotAvail, UnavailableNodes:node[01-02]')).toMatchObject({
      code: 'ReqNodeNotAvail',
      text: expect.stringMatching(/not available.*Unavailable: node\[01-02\]\./),
    });
    expect(explainReason('(ReqNodeNotAvail, Reserved for maintenance)')).toMatchObject({
      code: 'ReqNodeNotAvail',
      text: expect.stringMatching(/reserved for maintenance.*shorter walltime/),
    });
  });

  it('passes unknown reasons through readably', () => {
    expect(explainReason('SomeNewReason')).toEqual({ code: 'SomeNewReason', text: 'Slurm says: some new reason.', blocked: false });
    expect(explainReason('QOSGrpBillingMinutesRunMin')?.text).toBe('Slurm says: qos grp billing minutes run min.');
    expect(explainReason('odd_reason, with detail')?.text).toBe('Slurm says: odd reason (with detail).');
  });

  it('gives null for no reason and strips control characters', () => {
    expect(explainReason('None')).toBeNull();
    expect(explainReason('')).toBeNull();
    expect(explainReason('(None)')).toBeNull();
    expect(explainReason('Bad\u0007\nReason<')?.text).toBe('Slurm says: bad reason<.');
  });
});
