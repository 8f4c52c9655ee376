import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { classifyReading } from './classify';
import { GpuHistory } from './history';
import { createExecFileRunner, NvidiaSmiCollector, NvidiaSmiCommandError, type CommandRunner, type NvidiaSmiCollectorOptions } from './nvidia-smi-collector';
import type { WatchedServer } from './process-owner';
import { MIB } from './sample';
import { FAKE_MIG, FAKE_NVIDIA_SMI, H200 } from './testing/fixtures';
import { NvidiaSmiParseError } from './values';

const POLICY = { thresholdPercent: 10 };
const H200_UUID = 'GPU-a6b9ae15-a075-db5c-a1f1-4ab0b402df48';
const A100_MIG_UUID = 'GPU-0f0e0d0c-fa4e-0000-0000-00000000a100';

/** A fake local server: a detached shell (its own group and session) with a child in its group and one in a new session. */
interface FakeServer {
  readonly shell: ChildProcess;
  readonly watched: WatchedServer;
  /** A process in the server's process group. */
  readonly child: number;
  /** A process in a session of its own (as jupyter_client starts kernels). */
  readonly kernel: number;
}

const started: number[] = [];

async function startServer(key: string): Promise<FakeServer> {
  const shell = spawn('sh', ['-c', 'sleep 300 & echo $!; setsid sleep 300 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = shell.pid ?? 0;
  started.push(-pid);
  const pids = await new Promise<number[]>((resolve) => {
    let text = '';
    shell.stdout?.on('data', (chunk: Buffer) => {
      text += String(chunk);
      const lines = text.trim().split('\n');
      if (lines.length >= 2) resolve(lines.map(Number));
    });
  });
  const [child = 0, kernel = 0] = pids;
  started.push(kernel);
  return { shell, watched: { key, pid, pgid: pid }, child, kernel };
}

let dir: string;
let alice: FakeServer;
let bob: FakeServer;
let stranger: ChildProcess;
/** Runs the fake with its settings in the environment (jest's `process.env` does not reach children). */
let runner: CommandRunner;

/** Writes the frame list the fake replays and resets its call count. */
function frames(...files: string[]): void {
  writeFileSync(path.join(dir, 'frames'), `${files.join('\n')}\n`);
  rmSync(path.join(dir, 'state'), { force: true });
}

function calls(): number {
  return Number(readFileSync(path.join(dir, 'state'), 'utf8'));
}

function collector(servers: NvidiaSmiCollectorOptions['servers'], history: GpuHistory): NvidiaSmiCollector {
  let now = 0;
  return new NvidiaSmiCollector({ command: FAKE_NVIDIA_SMI, runner, servers, history, clock: () => (now += 5000) });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gpu-collector-'));
  alice = await startServer('alice/');
  bob = await startServer('bob/gpu');
  stranger = spawn('sleep', ['300'], { stdio: 'ignore' });
  started.push(stranger.pid ?? 0);
  writeFileSync(
    path.join(dir, 'no-driver.txt'),
    '$ nvidia-smi -q -x\nNVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n[rc=9]\n',
  );
  writeFileSync(path.join(dir, 'garbage.txt'), '$ nvidia-smi -q -x\n<html>not a report</html>\n[rc=0]\n');
  runner = createExecFileRunner({
    ...process.env,
    FAKE_NVIDIA_SMI_FRAMES: path.join(dir, 'frames'),
    FAKE_NVIDIA_SMI_STATE: path.join(dir, 'state'),
    // The recorded pids become real ones: the H200 load (462) is alice's child; in the fake MIG
    // output 4101 is alice's kernel, 4102 bob's kernel, 4103 a process of no server.
    FAKE_NVIDIA_SMI_PIDS: `462=${alice.child} 4101=${alice.kernel} 4102=${bob.kernel} 4103=${stranger.pid ?? 0}`,
  });
});

afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('NvidiaSmiCollector against the fake nvidia-smi replaying real and fake-MIG outputs', () => {
  it('gives each GPU process to its server (by group, or through the parent of a new session) and records one reading per server per run', async () => {
    frames(path.join(H200, 'query-idle-xml.txt'), path.join(H200, 'query-busy-xml.txt'), path.join(FAKE_MIG, 'query-xml.txt'));
    const history = new GpuHistory();
    let sampler = collector(() => [alice.watched, bob.watched], history);

    // Idle H200: nobody holds anything.
    const idle = await sampler.collectOnce();
    expect(idle.at).toBe(5000);
    expect([...idle.readings.values()].map((r) => r.devices)).toEqual([[], []]);
    expect(idle.unowned).toEqual([]);

    // The real load holds 8968 MiB at 0 %: alice's (its pid is a child in her server's group).
    const held = await sampler.collectOnce();
    const mine = held.readings.get('alice/');
    expect(mine?.devices).toHaveLength(1);
    expect(mine?.devices[0]).toMatchObject({ uuid: H200_UUID, at: 10000, utilizationPercent: 0, processes: [{ pid: alice.child, usedMemoryBytes: 8968 * MIB }] });
    expect(mine && classifyReading(mine, POLICY)).toBe('held-idle');
    expect(held.readings.get('bob/gpu')?.devices).toEqual([]);

    // Fake MIG: each server holds its own slice, through a kernel in a session of its own; the
    // busy process on the whole GPU belongs to no server.
    const mig = await sampler.collectOnce();
    expect(mig.readings.get('alice/')?.devices.map((d) => [d.uuid, d.gpuInstanceId, d.computeInstanceId, d.processes.map((p) => p.pid)])).toEqual([
      [A100_MIG_UUID, 1, 0, [alice.kernel]],
    ]);
    expect(mig.readings.get('bob/gpu')?.devices.map((d) => [d.gpuInstanceId, d.processes.map((p) => p.pid)])).toEqual([[9, [bob.kernel]]]);
    expect(mig.unowned).toEqual([{ pid: stranger.pid, device: 'GPU-0f0e0d0c-fa4e-0000-0000-00000000a101' }]);
    // Every device a server can hold, with its holders: the free MIG device and the whole GPU used
    // by no server have none.
    expect(mig.devices.map((d) => [d.sample.gpuInstanceId ?? null, d.sample.at, d.holders])).toEqual([
      [1, 15000, ['alice/']],
      [9, 15000, ['bob/gpu']],
      [10, 15000, []],
      [null, 15000, []],
    ]);
    expect(calls()).toBe(3);

    expect(history.readings('alice/').map((r) => [r.at, classifyReading(r, POLICY)])).toEqual([
      [5000, 'idle'],
      [10000, 'held-idle'],
      [15000, 'unknown'],
    ]);

    // Bob's server stops: his kernel (still running) belongs to nobody, and his history goes.
    // (The server list may also come from an asynchronous source, such as the store.)
    sampler = collector(() => Promise.resolve([alice.watched]), history);
    const after = await sampler.collectOnce();
    expect([...after.readings.keys()]).toEqual(['alice/']);
    expect(after.unowned.map((u) => u.pid).sort()).toEqual([bob.kernel, stranger.pid].sort());
    expect(history.servers()).toEqual(['alice/']);
  });

  it('records nothing when nvidia-smi fails or prints something that is not a report', async () => {
    frames(path.join(dir, 'no-driver.txt'), path.join(dir, 'garbage.txt'));
    const history = new GpuHistory();
    const sampler = collector(() => [alice.watched], history);
    await expect(sampler.collectOnce()).rejects.toThrow(NvidiaSmiCommandError);
    await expect(sampler.collectOnce()).rejects.toThrow(NvidiaSmiParseError);
    expect(history.servers()).toEqual([]);
    const missing = new NvidiaSmiCollector({ command: path.join(dir, 'no-such-nvidia-smi'), runner, servers: () => [alice.watched], history });
    await expect(missing.collectOnce()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the message of a failed run quotes nvidia-smi', async () => {
    frames(path.join(dir, 'no-driver.txt'));
    const sampler = collector(() => [alice.watched], new GpuHistory());
    await expect(sampler.collectOnce()).rejects.toThrow(/exited with 9: NVIDIA-SMI has failed/);
  });

  it('start() runs one command per interval for all servers until stop()', async () => {
    frames(path.join(H200, 'query-busy-xml.txt'));
    const history = new GpuHistory();
    const sampler = new NvidiaSmiCollector({ command: FAKE_NVIDIA_SMI, runner, servers: () => [alice.watched, bob.watched], history, intervalMs: 20 });
    sampler.start();
    try {
      for (let i = 0; i < 500 && history.readings('alice/').length < 3; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await sampler.stop();
    }
    expect(history.readings('alice/').length).toBeGreaterThanOrEqual(3);
    const runs = calls();
    // One run per interval serves every server: as many readings per server as runs.
    expect(history.readings('alice/')).toHaveLength(runs);
    expect(history.readings('bob/gpu')).toHaveLength(runs);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls()).toBe(runs);
  });

  it('warns once while runs keep failing the same way, and once when they work again', async () => {
    frames(path.join(dir, 'no-driver.txt'), path.join(dir, 'no-driver.txt'), path.join(dir, 'no-driver.txt'), path.join(H200, 'query-idle-xml.txt'));
    const warnings: string[] = [];
    const logger = { warn: (_fields: object, message: string) => warnings.push(message), debug: () => undefined };
    const history = new GpuHistory();
    const sampler = new NvidiaSmiCollector({ command: FAKE_NVIDIA_SMI, runner, servers: () => [alice.watched], history, intervalMs: 10, logger });
    sampler.start();
    try {
      for (let i = 0; i < 500 && history.readings('alice/').length < 1; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await sampler.stop();
    }
    expect(calls()).toBeGreaterThanOrEqual(4);
    expect(warnings).toEqual(['GPU sampling failed', 'GPU sampling works again']);
  });
});
