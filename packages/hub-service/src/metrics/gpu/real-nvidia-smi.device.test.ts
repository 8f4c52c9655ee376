/**
 * The collector against the REAL nvidia-smi: a device check, not part of `npm test` (jest leaves
 * `*.device.test.ts` out unless CLUSTERHUB_DEVICE_CHECK=1). Run it alone on a GPU machine:
 * `CLUSTERHUB_DEVICE_CHECK=1 npx jest packages/hub-service/src/metrics/gpu/real-nvidia-smi.device.test.ts`;
 * there it fails when nvidia-smi is missing.
 * Read-only on the GPU: it runs `nvidia-smi -q -x` and, where PyTorch is installed, a small process
 * that holds 1 GiB for a few seconds. It changes no GPU setting (MIG mode included).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { classifyReading } from './classify';
import { GpuHistory } from './history';
import { NvidiaSmiCollector } from './nvidia-smi-collector';
import { holdableDevices, parseQueryXml } from './query-xml';

const HAS_TORCH_CUDA = spawnSync('python3', ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'], { stdio: 'ignore' }).status === 0;

/** Holds 1 GiB on the first visible device at 0 % utilisation, then prints "held" and sleeps. */
const HOLDER = 'import torch, time; x = torch.empty(2**30, dtype=torch.uint8, device="cuda"); torch.cuda.synchronize(); print("held", flush=True); time.sleep(60)';

describe('NvidiaSmiCollector against the real nvidia-smi', () => {
  it('parses the real report: every holdable device has an identity and its memory', () => {
    const report = parseQueryXml(execFileSync('nvidia-smi', ['-q', '-x'], { encoding: 'utf8' }));
    const devices = holdableDevices(report);
    expect(devices.length).toBeGreaterThan(0);
    for (const device of devices) {
      expect(device.uuid).toMatch(/^(GPU|MIG)-/);
      expect(device.memoryTotalBytes).toBeGreaterThan(0);
    }
    console.log(JSON.stringify({ driver: report.driverVersion, devices: devices.map(({ processes, ...rest }) => ({ ...rest, processes: processes.length })) }));
  });

  (HAS_TORCH_CUDA ? it : it.skip)('gives a real CUDA process (in a session of its own) to the server that started it: held-idle', async () => {
    // A stand-in server: a detached shell leading its group and session, whose "kernel" runs in a
    // new session (as jupyter_client starts kernels) and holds GPU memory without computing.
    const server = spawn('sh', ['-c', `setsid python3 -c '${HOLDER}' & wait`], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const shell = spawn('sh', ['-c', 'sleep 120'], { detached: true, stdio: 'ignore' });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => String(chunk).includes('held') && resolve());
        server.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      const pid = server.pid ?? 0;
      const history = new GpuHistory();
      const watched = [
        { key: 'holder/', pid, pgid: pid },
        { key: 'other/', pid: shell.pid ?? 0, pgid: shell.pid ?? 0 },
      ];
      const outcome = await new NvidiaSmiCollector({ servers: () => watched, history }).collectOnce();
      const reading = outcome.readings.get('holder/');
      console.log(JSON.stringify({ server: pid, reading, unowned: outcome.unowned }));
      expect(reading?.devices.flatMap((d) => d.processes).length).toBeGreaterThan(0);
      expect(reading && classifyReading(reading, { thresholdPercent: 10 })).toBe('held-idle');
      expect(outcome.readings.get('other/')?.devices).toEqual([]);
    } finally {
      const kernels = server.pid ? spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean).map(Number) ?? [] : [];
      for (const pid of [...kernels, -(server.pid ?? 0), -(shell.pid ?? 0)]) {
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
