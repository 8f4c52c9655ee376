/**
 * The start loop of {@link BatchSpawner} against a scripted scheduler dialect (a test double that
 * answers as the Slurm dialect's parsed `squeue` output would; the real Slurm tests are
 * test/slurm-*.test.ts). Checked here, with fake timers so the count is exact: once the server has
 * reported its port, the loop still waits its interval between queue reads — it once raced the
 * settled report and spun without yielding while the queue watch answered from its cache.
 */
import type { ResolvedBatchBackend } from '../../config/types';
import type { JobInfo, SchedulerDialect } from './dialect';
import type { SpawnContext, SpawnRequest } from '../spawner';
import { BatchSpawner } from './batch-spawner';

const BACKEND: ResolvedBatchBackend = {
  name: 'hpc',
  kind: 'slurm',
  kubernetes: null,
  transport: 'local',
  ssh: null,
  sudo: true,
  commandDir: '/usr/bin',
  userTemplate: '{username}',
  home: '/home/{account}',
  cmd: ['batchspawner-singleuser', 'jupyterhub-singleuser'],
  path: '/usr/bin:/bin',
  environment: {},
  output: 'jupyterhub-%j.log',
  pollIntervalSeconds: 10,
  startGraceSeconds: 300,
  cacheSeconds: 0,
  walltime: { noticeMinutes: 10, extensionMinutes: 0, maxExtensions: 0 },
};

const REQUEST: SpawnRequest = {
  user: { id: 1, name: 'alice', groups: [] },
  server: { id: 7, name: '' },
  profile: { slug: 'slurm-cpu', displayName: 'CPU on Slurm', kind: 'cpu', backend: 'hpc', slurm: { partition: 'cpu' } },
  userOptions: {},
  prefix: '/user/alice/',
  env: {},
};

/** `squeue` as parsed: pending for the first `pendingReads` reads, then running on n1. */
function scriptedDialect(pendingReads: number): SchedulerDialect & { reads: number } {
  const dialect = {
    kind: 'slurm' as const,
    reads: 0,
    renderScript: (): string => '#!/bin/bash\n',
    submit: (): Promise<string> => Promise.resolve('42'),
    cancel: (): Promise<void> => Promise.resolve(),
    observe(): Promise<Map<string, JobInfo>> {
      dialect.reads += 1;
      const running = dialect.reads > pendingReads;
      const info: JobInfo = {
        observation: { kind: 'queued', job: { phase: running ? 'running' : 'pending', state: running ? 'RUNNING' : 'PENDING', reason: running ? null : 'Resources' } },
        node: running ? 'n1' : null,
        partition: 'cpu',
        end: null,
      };
      return Promise.resolve(new Map([['42', info]]));
    },
  };
  return dialect;
}

describe('BatchSpawner start loop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('after the port report, waits its interval between reads of the queue (no spin on the cached answer)', async () => {
    const dialect = scriptedDialect(1);
    const spawner = new BatchSpawner({ backend: BACKEND, dialect, startTimeoutSeconds: 600, startPollSeconds: 0.1 });
    const controller = new AbortController();
    // Loop turns, counted where the loop reads the signal; a spinning loop is stopped with an error instead of hanging the test.
    let turns = 0;
    const ctx: SpawnContext = {
      get signal(): AbortSignal {
        turns += 1;
        if (turns > 1000) throw new Error('the start loop spins');
        return controller.signal;
      },
      onProgress: () => undefined,
      persistHandle: () => Promise.resolve(),
      waitForPortReport: () => Promise.resolve(8888),
    };
    const started = spawner.start(REQUEST, ctx);
    let result: Awaited<typeof started> | null = null;
    void started.then((r) => (result = r));
    // The first read says pending; the queue watch keeps that answer 1.5 s: 0.1 s turns until then.
    await jest.advanceTimersByTimeAsync(1000);
    expect(result).toBeNull();
    expect(dialect.reads).toBe(1);
    const turnsAfterOneSecond = turns;
    expect(turnsAfterOneSecond).toBeLessThan(60);
    await jest.advanceTimersByTimeAsync(1000);
    expect(dialect.reads).toBe(2);
    expect(result).toEqual({ handle: { jobId: '42', account: 'alice', partition: 'cpu', node: 'n1', port: 8888 }, target: 'http://n1:8888' });
  });
});
