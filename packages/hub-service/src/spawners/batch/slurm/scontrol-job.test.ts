import { parseScontrolJob, scontrolShowJobArgs } from './scontrol-job';

// Real output of Slurm 22.05.8 here (trimmed in the middle) for `--wrap='exit 3'`.
const FAILED =
  'JobId=10 JobName=wrap UserId=alice(1022) GroupId=alice(1022) MCS_label=N/A Priority=4294901750 Nice=0 Account=physics QOS=normal JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 TimeLimit=00:01:00 Partition=cpu NodeList=vm WorkDir=/home/alice StdOut=/dev/null Power= ';

describe('scontrol show job', () => {
  it('reads the final state, exit code, signal and reason of a job accounting has not recorded yet', () => {
    expect(parseScontrolJob(FAILED)).toEqual({ state: 'FAILED', exitCode: 3, signal: 0, reason: 'NonZeroExitCode' });
  });
  it('null for a job still active, an error text or nonsense', () => {
    expect(parseScontrolJob(FAILED.replace('JobState=FAILED', 'JobState=RUNNING'))).toBeNull();
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified')).toBeNull();
    expect(parseScontrolJob('')).toBeNull();
  });
  it('refuses an id that is not a job id', () => {
    expect(scontrolShowJobArgs('42')).toEqual(['--oneliner', 'show', 'job', '42']);
    expect(() => scontrolShowJobArgs('42;id')).toThrow(RangeError);
  });
});
