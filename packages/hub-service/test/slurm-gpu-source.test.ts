/**
 * The Slurm GPU source against the REAL test Slurm cluster (harness/slurm): alice and bob each hold
 * one A100 gres in a running job, a FAKE nvidia-smi (test/fixtures/gpu/fake-nvidia-smi replaying
 * fake-slurm-node/, a node with two GPUs; named as fakes in test/fixtures/gpu/README.md) stands at
 * `gpuMetrics.nodeNvidiaSmi`, and the source runs it through `srun --jobid … --overlap` as the
 * job's user with the backend's local transport (sudo). Each server gets only its own job's GPU; a
 * broken nodeNvidiaSmi gives a node failure and no reading. Needs root (sudo to the job users, as
 * the other Slurm tests).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/load';
import type { ResolvedConfig } from '../src/config/types';
import { createSlurmGpuSource, type SlurmGpuSource } from '../src/metrics/gpu/slurm/slurm-gpu-source';
import type { GpuWatchedServer } from '../src/metrics/gpu/source';
import { watchedServer } from '../src/metrics/gpu/testing/watched-server';
import { clusterUser, ensureSlurmCluster, SLURM_START_DEADLINE_MS, type SlurmCluster } from './harness/slurm/cluster';
import { cancelJobs, sbatchAs, waitForJob } from './harness/slurm/commands';
import { createFakeNodeNvidiaSmi, FAKE_NODE_GPU_UUIDS, type FakeNodeNvidiaSmi } from './harness/slurm/fake-node-nvidia-smi';

const AS_ROOT = process.getuid?.() === 0;

const UUID_BY_INDEX = FAKE_NODE_GPU_UUIDS;

const SLEEPER = '#!/bin/sh\nexec sleep 600\n';

/** A running server record of backend `backend` whose handle holds the job. */
function watched(user: string, server: string, jobId: string, backend = 'hpc'): GpuWatchedServer {
  return watchedServer(user, server, { spawnerKind: 'slurm', backend, handle: { jobId, account: user, partition: 'gpu', node: 'vm', port: 1 }, target: 'http://vm:1' });
}

/** The node's GPU index of a running job, read from `scontrol show job -d` (`IDX:n`). */
function gpuIndexOf(jobId: string): number {
  const text = execFileSync('scontrol', ['show', 'job', '-d', jobId], { encoding: 'utf8' });
  const m = /GRES=gpu:a100:1\(IDX:(\d+)\)/.exec(text);
  if (!m) throw new Error(`job ${jobId} holds no A100: ${text}`);
  return Number(m[1]);
}

(AS_ROOT ? describe : describe.skip)('the Slurm GPU source on the real test cluster', () => {
  let cluster: SlurmCluster;
  let dir = '';
  let fake: FakeNodeNvidiaSmi;
  let config: ResolvedConfig;
  const jobs: string[] = [];
  const sources: SlurmGpuSource[] = [];

  /** A source over the `hpc` backend, with `nodeNvidiaSmi` in the config. */
  function sourceWith(nodeNvidiaSmi: string): SlurmGpuSource {
    const file = path.join(dir, `hub-${sources.length}.yaml`);
    writeFileSync(file, ['backends:', '  hpc:', '    kind: slurm', '    transport: local', 'gpuMetrics:', '  enabled: true', `  nodeNvidiaSmi: ${JSON.stringify(nodeNvidiaSmi)}`, '  commandTimeoutSeconds: 30', ''].join('\n'));
    config = loadConfig(file, { env: {} });
    const backend = config.backends['hpc'];
    if (!backend) throw new Error('no hpc backend');
    const source = createSlurmGpuSource({ backend, settings: config.gpuMetrics });
    sources.push(source);
    return source;
  }

  beforeAll(async () => {
    cluster = await ensureSlurmCluster();
    fake = createFakeNodeNvidiaSmi();
    dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-slurm-gpu-config-'));
    const alice = clusterUser(cluster, 'alice');
    const bob = clusterUser(cluster, 'bob');
    const gpuJob = ['--partition=gpu', '--gres=gpu:a100:1', '--output=/dev/null', '--time=10'];
    jobs.push(await sbatchAs(alice.name, alice.home, SLEEPER, gpuJob));
    jobs.push(await sbatchAs(bob.name, bob.home, SLEEPER, gpuJob));
    jobs.push(await sbatchAs(alice.name, alice.home, SLEEPER, ['--partition=cpu', '--output=/dev/null', '--time=10']));
    // Other test files share the cluster: wait for our jobs to start rather than assume free A100s.
    for (const id of jobs) await waitForJob(id, 'RUNNING', (line) => line?.state === 'RUNNING', 180_000);
  }, SLURM_START_DEADLINE_MS + 200_000);

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.close()));
    await cancelJobs(jobs);
    fake?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives alice her GPU and bob his, from ONE nvidia-smi on the node, and a CPU job an empty reading', async () => {
    const [aliceJob = '', bobJob = '', cpuJob = ''] = jobs;
    const source = sourceWith(fake.command);
    const servers = [watched('alice', '', aliceJob), watched('bob', '', bobJob), watched('alice', 'cpu', cpuJob)];
    expect(servers.every((server) => source.serves(server))).toBe(true);
    const before = fake.calls();

    const outcome = await source.collect(servers);

    expect(outcome.failures).toBeUndefined();
    expect(fake.calls() - before).toBe(1);
    const aliceUuid = UUID_BY_INDEX[gpuIndexOf(aliceJob)];
    const bobUuid = UUID_BY_INDEX[gpuIndexOf(bobJob)];
    expect(aliceUuid).not.toBe(bobUuid);
    const alice = outcome.readings.get('alice/');
    const bob = outcome.readings.get('bob/');
    expect(alice?.devices.map((d) => d.uuid)).toEqual([aliceUuid]);
    expect(bob?.devices.map((d) => d.uuid)).toEqual([bobUuid]);
    // GPU 0 of the fake holds the capture's process 462 (8968 MiB); GPU 1 holds nothing.
    const onGpu0 = aliceUuid === UUID_BY_INDEX[0] ? alice : bob;
    expect(onGpu0?.devices[0]?.processes.map((p) => p.pid)).toEqual([462]);
    expect(outcome.readings.get('alice/cpu')).toEqual({ at: outcome.at, devices: [] });
    expect(outcome.devices.map((d) => [d.sample.uuid, d.holders, d.node])).toEqual(
      UUID_BY_INDEX.map((uuid) => [uuid, uuid === aliceUuid ? ['alice/'] : ['bob/'], cluster.nodeName]),
    );
  });

  it('leaves out servers of other backends, stopped servers and records without a job', () => {
    const source = sourceWith(fake.command);
    const other = watched('alice', '', jobs[0] ?? '', 'other');
    const stopped = { ...watched('alice', '', jobs[0] ?? ''), record: { ...watched('alice', '', jobs[0] ?? '').record, state: 'stopped' as const } };
    const noJob = { ...watched('alice', '', ''), record: { ...watched('alice', '', '').record, handle: { pid: 4 } } };
    const oddJob = watched('alice', '', '12;id');
    expect([other, stopped, noJob, oddJob].map((server) => source.serves(server))).toEqual([false, false, false, false]);
  });

  it('a broken nodeNvidiaSmi fails the node: no reading for its GPU servers, the failure said, the CPU job still read', async () => {
    const [aliceJob = '', bobJob = '', cpuJob = ''] = jobs;
    const servers = [watched('alice', '', aliceJob), watched('bob', '', bobJob), watched('alice', 'cpu', cpuJob)];

    const missing = await sourceWith('/nonexistent/nvidia-smi').collect(servers);
    expect([...missing.readings.keys()]).toEqual(['alice/cpu']);
    expect([...(missing.failures?.keys() ?? [])]).toEqual([cluster.nodeName]);
    expect(missing.failures?.get(cluster.nodeName)).toMatch(/^srun \/nonexistent\/nvidia-smi as alice in job \d+ exited with 2: .*No such file or directory/);
    expect(missing.devices).toEqual([]);

    // A program that answers, but not with nvidia-smi's XML.
    const garbage = await sourceWith('/bin/echo').collect(servers);
    expect([...garbage.readings.keys()]).toEqual(['alice/cpu']);
    expect(garbage.failures?.get(cluster.nodeName)).toMatch(/nvidia-smi XML|nvidia_smi_log/);
  });
});
