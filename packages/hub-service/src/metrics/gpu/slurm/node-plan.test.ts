import type { JobGpus, JobGpusEntry } from '../../../spawners/batch/slurm/gpu-jobs';
import { planSlurmRound, type SlurmServerJob } from './node-plan';

function job(id: string, user: string, nodes: Record<string, number[]>, state = 'RUNNING'): [string, JobGpusEntry] {
  const gpus: JobGpus = { id, user, state, nodes: new Map(Object.entries(nodes)) };
  return [id, { kind: 'job', job: gpus }];
}

const server = (key: string, jobId: string, account: string): SlurmServerJob => ({ key, jobId, account });

describe('planning a Slurm GPU round', () => {
  it('runs nvidia-smi once per node, through the first job there, for every server holding GPUs on it', () => {
    const plan = planSlurmRound(
      [server('alice/', '10', 'alice'), server('bob/', '11', 'bob'), server('carol/', '12', 'carol'), server('alice/big', '13', 'alice')],
      new Map([job('10', 'alice', { gpu01: [0] }), job('11', 'bob', { gpu01: [1] }), job('12', 'carol', { gpu02: [2, 3] }), job('13', 'alice', { gpu01: [2], gpu02: [0] })]),
    );
    expect(plan.runs).toEqual([
      {
        node: 'gpu01',
        jobId: '10',
        account: 'alice',
        holders: [
          { key: 'alice/', jobId: '10', indices: [0] },
          { key: 'bob/', jobId: '11', indices: [1] },
          { key: 'alice/big', jobId: '13', indices: [2] },
        ],
      },
      {
        node: 'gpu02',
        jobId: '12',
        account: 'carol',
        holders: [
          { key: 'carol/', jobId: '12', indices: [2, 3] },
          { key: 'alice/big', jobId: '13', indices: [0] },
        ],
      },
    ]);
    expect(Object.fromEntries(plan.nodesOf)).toEqual({ 'alice/': ['gpu01'], 'bob/': ['gpu01'], 'carol/': ['gpu02'], 'alice/big': ['gpu01', 'gpu02'] });
    expect(plan.withoutGpus).toEqual([]);
    expect(plan.problems.size).toBe(0);
  });

  it('needs no run for a job without GPUs: its server gets an empty reading', () => {
    const plan = planSlurmRound([server('dora/', '20', 'dora')], new Map([job('20', 'dora', { cpu01: [] })]));
    expect(plan.runs).toEqual([]);
    expect(plan.withoutGpus).toEqual(['dora/']);
  });

  it('skips jobs that are gone or not running, and reports unreadable jobs and jobs of another account', () => {
    const plan = planSlurmRound(
      [server('a/', '30', 'alice'), server('b/', '31', 'bob'), server('c/', '32', 'carol'), server('d/', '33', 'dora')],
      new Map<string, JobGpusEntry>([
        job('31', 'bob', { gpu01: [0] }, 'COMPLETING'),
        job('32', 'mallory', { gpu01: [1] }),
        ['33', { kind: 'unreadable', reason: 'job 33 is listed more than once' }],
      ]),
    );
    expect(plan.runs).toEqual([]);
    expect(plan.withoutGpus).toEqual([]);
    expect(Object.fromEntries(plan.problems)).toEqual({
      'job 32': "job 32 runs as mallory, not as carol (the server's account)",
      'job 33': 'job 33 is listed more than once',
    });
  });
});
