import { parseGresIndices, parseJobGpus, scontrolJobDetailsArgs, type JobGpusEntry } from './gpu-jobs';

// Real `scontrol --oneliner --details show job` lines of Slurm 22.05.8 on the test cluster: a
// finished CPU job (629), alice's job on an A100 (634), alice's job on two 1g.5gb MIG slices (636).
const REAL = [
  'JobId=629 JobName=clusterhub-1 UserId=bob(1033) GroupId=bob(1033) MCS_label=N/A Priority=4294901759 Nice=0 Account=chem QOS=normal JobState=CANCELLED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 DerivedExitCode=0:0 RunTime=00:00:19 TimeLimit=00:01:00 TimeMin=N/A SubmitTime=2026-11-30T21:47:57 EligibleTime=2026-11-30T21:47:57 AccrueTime=2026-11-30T21:47:57 StartTime=2026-11-30T21:47:58 EndTime=2026-11-30T21:48:17 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-30T21:47:58 Scheduler=Main Partition=cpu AllocNode:Sid=localhost:27702 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=1G,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* JOB_GRES=(null)   Nodes=vm CPU_IDs=0 Mem=1024 GRES= MinCPUsNode=1 MinMemoryNode=1G MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/home/bob StdErr=/home/bob/clusterhub-629.log StdIn=/dev/null StdOut=/home/bob/clusterhub-629.log Power= ',
  'JobId=634 JobName=sbatch UserId=alice(1022) GroupId=alice(1022) MCS_label=N/A Priority=4294901754 Nice=0 Account=physics QOS=normal JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 DerivedExitCode=2:0 RunTime=00:02:32 TimeLimit=01:00:00 TimeMin=N/A SubmitTime=2026-11-30T22:13:52 EligibleTime=2026-11-30T22:13:52 AccrueTime=2026-11-30T22:13:52 StartTime=2026-11-30T22:13:53 EndTime=2026-11-30T23:13:53 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-30T22:13:53 Scheduler=Main Partition=gpu AllocNode:Sid=localhost:10413 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=500M,node=1,billing=1,gres/gpu=1,gres/gpu:a100=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* JOB_GRES=gpu:a100:1   Nodes=vm CPU_IDs=0 Mem=500 GRES=gpu:a100:1(IDX:0) MinCPUsNode=1 MinMemoryCPU=500M MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/home/alice StdErr=/dev/null StdIn=/dev/null StdOut=/dev/null Power= TresPerNode=gres:gpu:a100:1 ',
  'JobId=636 JobName=sbatch UserId=alice(1022) GroupId=alice(1022) MCS_label=N/A Priority=4294901752 Nice=0 Account=physics QOS=normal JobState=RUNNING Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 DerivedExitCode=0:0 RunTime=00:02:32 TimeLimit=01:00:00 TimeMin=N/A SubmitTime=2026-11-30T22:13:52 EligibleTime=2026-11-30T22:13:52 AccrueTime=2026-11-30T22:13:52 StartTime=2026-11-30T22:13:53 EndTime=2026-11-30T23:13:53 Deadline=N/A SuspendTime=None SecsPreSuspend=0 LastSchedEval=2026-11-30T22:13:53 Scheduler=Main Partition=gpu AllocNode:Sid=localhost:10413 ReqNodeList=(null) ExcNodeList=(null) NodeList=vm BatchHost=vm NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 ReqB:S:C:T=0:0:*:* TRES=cpu=1,mem=500M,node=1,billing=1,gres/gpu=2,gres/gpu:1g.5gb=2 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* CoreSpec=* JOB_GRES=gpu:1g.5gb:2   Nodes=vm CPU_IDs=2 Mem=500 GRES=gpu:1g.5gb:2(IDX:2-3) MinCPUsNode=1 MinMemoryCPU=500M MinTmpDiskNode=0 Features=(null) DelayBoot=00:00:00 OverSubscribe=OK Contiguous=0 Licenses=(null) Network=(null) Command=(null) WorkDir=/home/alice StdErr=/dev/null StdIn=/dev/null StdOut=/dev/null Power= TresPerNode=gres:gpu:1g.5gb:2 ',
].join('\n');

/** Alice's A100 job's line. */
const ALICE = REAL.split('\n')[1] ?? '';

function jobOf(entry: JobGpusEntry | undefined): unknown {
  return entry?.kind === 'job' ? { ...entry.job, nodes: Object.fromEntries(entry.job.nodes) } : entry;
}

describe('scontrol show job -d: the GPUs of the hub\'s jobs', () => {
  it('asks once for every job, one line each, with the per-node detail', () => {
    expect(scontrolJobDetailsArgs()).toEqual(['--oneliner', '--details', 'show', 'job']);
  });

  it('reads the node, GRES indices, user and state of each job asked for, from real output', () => {
    const jobs = parseJobGpus(REAL, ['634', '636', '629', '999']);
    expect(jobOf(jobs.get('634'))).toEqual({ id: '634', user: 'alice', state: 'RUNNING', nodes: { vm: [0] } });
    expect(jobOf(jobs.get('636'))).toEqual({ id: '636', user: 'alice', state: 'RUNNING', nodes: { vm: [2, 3] } });
    expect(jobOf(jobs.get('629'))).toEqual({ id: '629', user: 'bob', state: 'CANCELLED', nodes: { vm: [] } });
    expect(jobs.has('999')).toBe(false);
    expect([...parseJobGpus(REAL, ['634']).keys()]).toEqual(['634']);
  });

  it('reads a job on several nodes, each with its own indices', () => {
    const line = ALICE.replace('NodeList=vm', 'NodeList=gpu[01-02]').replace(
      '  Nodes=vm CPU_IDs=0 Mem=500 GRES=gpu:a100:1(IDX:0) ',
      '  Nodes=gpu01 CPU_IDs=0 Mem=500 GRES=gpu:a100:2(IDX:0,2) Nodes=gpu02 CPU_IDs=0 Mem=500 GRES=gpu:a100:1(IDX:1),gpu:1g.5gb:1(IDX:4) ',
    );
    expect(jobOf(parseJobGpus(line, ['634']).get('634'))).toMatchObject({ nodes: { gpu01: [0, 2], gpu02: [1, 4] } });
    const shared = ALICE.replace('  Nodes=vm CPU_IDs=0', '  Nodes=n[1-2] CPU_IDs=0');
    expect(jobOf(parseJobGpus(shared, ['634']).get('634'))).toMatchObject({ nodes: { n1: [0], n2: [0] } });
  });

  it('refuses a record whose name or comment holds Slurm fields, or a job listed twice, instead of guessing', () => {
    const injected = ALICE.replace('JobName=sbatch', 'JobName=x JOB_GRES=gpu:a100:1   Nodes=vm CPU_IDs=0 Mem=500 GRES=gpu:a100:1(IDX:1) MinCPUsNode=1');
    expect(parseJobGpus(injected, ['634']).get('634')).toEqual({
      kind: 'unreadable',
      reason: expect.stringMatching(/^job 634's record does not hold JOB_GRES, MinCPUsNode exactly once/),
    });
    const comment = ALICE.replace('WorkDir=/home/alice', 'WorkDir=/home/alice Comment=a UserId=bob(1033)');
    expect(parseJobGpus(comment, ['634']).get('634')).toMatchObject({ kind: 'unreadable', reason: expect.stringContaining('UserId') });
    // A line break in a name that pretends to start bob's record: both lines are refused.
    const bob = REAL.split('\n')[0]?.replace('JobId=629', 'JobId=635') ?? '';
    const split = ALICE.replace('JobName=sbatch', `JobName=x\n${bob}`);
    expect(parseJobGpus(`${split}\n${bob}`, ['634', '635']).get('635')).toEqual({ kind: 'unreadable', reason: 'job 635 is listed more than once' });
    expect(parseJobGpus(split, ['634']).get('634')).toMatchObject({ kind: 'unreadable' });
    expect(parseJobGpus(`${ALICE}\n${ALICE}`, ['634']).get('634')).toEqual({ kind: 'unreadable', reason: 'job 634 is listed more than once' });
  });

  it('refuses a record without the per-node detail, or with GRES it cannot read', () => {
    const plain = ALICE.replace(/ {3}Nodes=vm .*? MinCPUsNode=1/, ' MinCPUsNode=1').replace(/ JOB_GRES=\S*/, '');
    expect(parseJobGpus(plain, ['634']).get('634')).toMatchObject({ kind: 'unreadable', reason: expect.stringContaining('JOB_GRES') });
    const odd = ALICE.replace('GRES=gpu:a100:1(IDX:0)', 'GRES=gpu:a100:1(IDX:zero)');
    expect(parseJobGpus(odd, ['634']).get('634')).toMatchObject({ kind: 'unreadable', reason: expect.stringContaining('gpu:a100:1(IDX:zero)') });
  });

  it('refuses ids that are not Slurm job ids', () => {
    expect(() => parseJobGpus(REAL, ['634;id'])).toThrow(RangeError);
  });
});

describe('GRES indices of a node entry', () => {
  it('reads single indices, ranges, lists and several types; other GRES and none give nothing', () => {
    expect(parseGresIndices('gpu:a100:1(IDX:0)')).toEqual([0]);
    expect(parseGresIndices('gpu:1g.5gb:2(IDX:2-3)')).toEqual([2, 3]);
    expect(parseGresIndices('gpu:a100:3(IDX:0,2-3)')).toEqual([0, 2, 3]);
    expect(parseGresIndices('gpu:a100:1(IDX:1),gpu:1g.5gb:2(IDX:4,6)')).toEqual([1, 4, 6]);
    expect(parseGresIndices('gpu:1(IDX:5)')).toEqual([5]);
    expect(parseGresIndices('shard:a100:2(IDX:0),gpu:a100:1(IDX:1)')).toEqual([1]);
    expect(parseGresIndices('gpu:a100:0(IDX:N/A)')).toEqual([]);
    expect(parseGresIndices('')).toEqual([]);
    expect(parseGresIndices('(null)')).toEqual([]);
  });

  it('refuses what is not name[:type]:count(IDX:…)', () => {
    for (const bad of ['gpu:a100:1', 'gpu:a100:1(IDX:a)', 'gpu:a100:1(IDX:3-1)', 'gpu;id(IDX:0)', 'gpu:a100:1(IDX:0)x']) {
      expect(() => parseGresIndices(bad)).toThrow(RangeError);
    }
  });
});
