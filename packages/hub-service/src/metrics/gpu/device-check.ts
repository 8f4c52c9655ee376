/**
 * The GPU device check: our nvidia-smi parsers and the local collector against the REAL
 * `nvidia-smi` of a GPU machine. Not part of `npm test` (no test machine has a GPU); run it on a
 * GPU machine with the compiled hub-service, no npm install needed:
 *
 *   node packages/hub-service/lib/metrics/gpu/device-check.js <out-dir>
 *
 * It writes every command's output to `<out-dir>/captures/` in the fixture format (`$ command`
 * first line, `[rc=N]` last line; see test/fixtures/gpu/README.md), so a run's captures can become
 * fixtures, and `<out-dir>/summary.json` with one entry per check. Exit status 0 when every check
 * passed. Phases: idle (list, XML, CSV with and without units, compute apps, dmon), then a CUDA
 * process holding 1 GiB without computing (must classify `held-idle` and belong to the stand-in
 * server that started it, in a session of its own as jupyter_client starts kernels), then one
 * computing (must classify `busy`). The CUDA processes need Python with PyTorch (`python3`, or
 * CLUSTERHUB_DEVICE_PYTHON). Read-only on the GPU: it changes no setting (MIG mode included).
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { classifyReading } from './classify';
import { parseDmon } from './dmon';
import { GpuHistory } from './history';
import { parseGpuList } from './list';
import { NvidiaSmiCollector } from './nvidia-smi-collector';
import type { WatchedServer } from './process-owner';
import { parseQueryComputeApps } from './query-apps';
import { parseQueryGpu } from './query-gpu';
import { holdableDevices, parseQueryXml } from './query-xml';

/** The `--query-gpu` fields captured (those of the 2026-11-30 capture, so the files compare). */
const QUERY_GPU_FIELDS = [
  'timestamp', 'index', 'uuid', 'name', 'pci.bus_id', 'driver_version', 'utilization.gpu', 'utilization.memory',
  'memory.total', 'memory.used', 'memory.free', 'temperature.gpu', 'power.draw', 'power.limit', 'clocks.sm',
  'mig.mode.current', 'mig.mode.pending', 'compute_mode',
];
const APPS_FIELDS = ['timestamp', 'gpu_uuid', 'pid', 'process_name', 'used_memory'];

/** Holds 1 GiB on the first visible device without computing, prints "ready", sleeps. */
const HOLDER = 'import torch, time; x = torch.empty(2**30, dtype=torch.uint8, device="cuda"); torch.cuda.synchronize(); print("ready", flush=True); time.sleep(90)';
/** Multiplies bf16 matrices for 40 s after printing "ready". */
const WORKER =
  'import torch, time\n' +
  'a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16); b = torch.randn_like(a); torch.cuda.synchronize()\n' +
  'print("ready", flush=True); t0 = time.time()\n' +
  'while time.time() - t0 < 40:\n' +
  '    for _ in range(20): a @ b\n' +
  '    torch.cuda.synchronize()\n';

/** One check's outcome. */
interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: unknown;
}

/** What a command printed. */
interface Captured {
  readonly output: string;
  readonly rc: number | null;
}

class DeviceCheck {
  readonly checks: Check[] = [];
  private readonly captures: string;

  constructor(
    out: string,
    /** The nvidia-smi command the checks run. */
    readonly nvidiaSmi: string,
  ) {
    this.captures = path.join(out, 'captures');
    mkdirSync(this.captures, { recursive: true });
  }

  /** Runs nvidia-smi with `args` and keeps its output as `<name>.txt` in the fixture format. */
  capture(name: string, args: readonly string[]): Promise<Captured> {
    return new Promise((resolve) => {
      execFile(this.nvidiaSmi, [...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
        const rc = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const output = `${stdout}${stderr}`;
        writeFileSync(path.join(this.captures, `${name}.txt`), `$ nvidia-smi ${args.join(' ')}\n${output}[rc=${rc ?? 'signal'}]\n`);
        resolve({ output: stdout, rc });
      });
    });
  }

  /** Records a check; a thrown error fails it with the message. */
  async check(name: string, body: () => unknown): Promise<void> {
    try {
      const detail = await body();
      this.checks.push({ name, ok: true, detail });
    } catch (error) {
      this.checks.push({ name, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
    const last = this.checks[this.checks.length - 1];
    console.log(`${last?.ok ? 'ok  ' : 'FAIL'} ${name}: ${JSON.stringify(last?.detail)}`);
  }
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** A stand-in server (leading its group) whose "kernel" runs `code` in a new session; resolves once it printed "ready". */
function startServer(python: string, code: string): Promise<ChildProcess> {
  const quoted = `'${code.replace(/'/g, `'\\''`)}'`;
  const server = spawn('sh', ['-c', `setsid ${python} -c ${quoted} & wait`], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => String(chunk).includes('ready') && resolve(server));
    server.once('exit', (code) => reject(new Error(`the CUDA process exited with ${code} before it was ready`)));
  });
}

/** Kills a stand-in server, its kernel (another session) included. */
function stopServer(server: ChildProcess | null): void {
  if (!server?.pid) return;
  const children = spawnSync('pgrep', ['-P', String(server.pid)], { encoding: 'utf8' }).stdout?.split(/\s+/).filter(Boolean).map(Number) ?? [];
  for (const pid of [...children, -server.pid]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function watched(key: string, server: ChildProcess | null): WatchedServer {
  const pid = server?.pid ?? 0;
  return { key, pid, pgid: pid };
}

async function idlePhase(run: DeviceCheck): Promise<string[]> {
  let uuids: string[] = [];
  const xml = await run.capture('query-idle-xml', ['-q', '-x']);
  await run.check('XML report parses; every holdable device has identity and memory', () => {
    const report = parseQueryXml(xml.output);
    const devices = holdableDevices(report);
    expect(devices.length > 0, 'no holdable device');
    for (const device of devices) {
      expect(/^(GPU|MIG)-/.test(device.uuid ?? ''), `device uuid ${device.uuid}`);
      expect((device.memoryTotalBytes ?? 0) > 0, `device ${device.uuid} has no memory total`);
    }
    uuids = devices.map((device) => device.uuid ?? '');
    return { driver: report.driverVersion, migEnabled: report.gpus.map((gpu) => gpu.migEnabled), devices: devices.map(({ processes, ...rest }) => ({ ...rest, processes: processes.length })) };
  });
  const list = await run.capture('list', ['-L']);
  await run.check('nvidia-smi -L lists the same GPUs', () => {
    const gpus = parseGpuList(list.output);
    expect(gpus.length > 0, 'no GPU listed');
    for (const gpu of gpus) expect(uuids.includes(gpu.uuid) || gpu.migDevices.length > 0, `listed ${gpu.uuid} not in the XML`);
    return gpus;
  });
  const csv = await run.capture('query-gpu-idle-csv', [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv']);
  const bare = await run.capture('query-gpu-idle-csv-nounits', [`--query-gpu=${QUERY_GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits']);
  await run.check('--query-gpu CSV (units and noheader,nounits) parses to the same GPUs', () => {
    const withUnits = parseQueryGpu(csv.output);
    const withoutUnits = parseQueryGpu(bare.output, QUERY_GPU_FIELDS);
    expect(withUnits.length > 0 && withUnits.length === withoutUnits.length, `${withUnits.length} vs ${withoutUnits.length} rows`);
    withUnits.forEach((sample, i) => {
      expect(sample.uuid === withoutUnits[i]?.uuid, `row ${i}: ${sample.uuid} vs ${withoutUnits[i]?.uuid}`);
      expect(sample.memoryTotalBytes === withoutUnits[i]?.memoryTotalBytes, `row ${i}: memory totals differ`);
    });
    return withUnits;
  });
  const apps = await run.capture('apps-idle', [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv']);
  await run.check('--query-compute-apps parses', () => parseQueryComputeApps(apps.output));
  const dmon = await run.capture('dmon-idle', ['dmon', '-c', '3', '-s', 'pucm', '-o', 'DT']);
  await run.check('dmon -o DT parses with times', () => {
    expect(dmon.rc === 0, `dmon exited with ${dmon.rc}`);
    const samples = parseDmon(dmon.output);
    expect(samples.length > 0, 'no dmon row');
    expect(samples.every((sample) => sample.at !== null), 'a row without time');
    return samples;
  });
  return uuids;
}

async function collectorPhases(run: DeviceCheck, python: string): Promise<void> {
  let holder: ChildProcess | null = null;
  let worker: ChildProcess | null = null;
  const bystander = spawn('sh', ['-c', 'sleep 300'], { detached: true, stdio: 'ignore' });
  const history = new GpuHistory();
  const servers: WatchedServer[] = [watched('bystander/', bystander)];
  const collector = new NvidiaSmiCollector({ servers: () => servers, history, command: run.nvidiaSmi });
  try {
    await run.check('a CUDA process holding memory starts', async () => {
      holder = await startServer(python, HOLDER);
      servers.push(watched('holder/', holder));
      return { server: holder.pid };
    });
    await run.capture('query-held-xml', ['-q', '-x']);
    await run.capture('apps-held', [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv']);
    await run.capture('pmon-held', ['pmon', '-c', '2', '-s', 'um']);
    await run.check('the collector gives the held process to its server: held-idle', async () => {
      const outcome = await collector.collectOnce();
      const reading = outcome.readings.get('holder/');
      expect((reading?.devices.flatMap((d) => d.processes).length ?? 0) > 0, `no process for the holder; unowned ${JSON.stringify(outcome.unowned)}`);
      expect(reading !== undefined && classifyReading(reading, { thresholdPercent: 10 }) === 'held-idle', `classified ${reading && classifyReading(reading, { thresholdPercent: 10 })}`);
      expect(outcome.readings.get('bystander/')?.devices.length === 0, 'the bystander got a device');
      return { reading, unowned: outcome.unowned };
    });
    await run.check('a computing CUDA process starts', async () => {
      worker = await startServer(python, WORKER);
      servers.push(watched('worker/', worker));
      return { server: worker.pid };
    });
    await sleep(3000);
    await run.capture('query-busy-xml', ['-q', '-x']);
    await run.capture('apps-busy', [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv']);
    await run.capture('dmon-busy', ['dmon', '-c', '5', '-s', 'pucm', '-o', 'DT']);
    // Per-process utilisation, for two servers on one GPU (docs/gpu-metrics.md, "Shared GPUs").
    await run.capture('pmon-busy', ['pmon', '-c', '3', '-s', 'um']);
    await run.check('the collector sees the computing server busy (5 runs, 1 s apart)', async () => {
      const classes: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const outcome = await collector.collectOnce();
        const reading = outcome.readings.get('worker/');
        classes.push(reading ? classifyReading(reading, { thresholdPercent: 10 }) : 'none');
        await sleep(1000);
      }
      expect(classes.includes('busy'), `never busy: ${classes.join(',')}`);
      return { classes, history: history.readings('worker/').map((r) => r.devices.map((d) => ({ util: d.utilizationPercent, used: d.memoryUsedBytes, processes: d.processes.map((p) => p.pid) }))) };
    });
  } finally {
    stopServer(worker);
    stopServer(holder);
    stopServer(bystander);
  }
  await sleep(2000);
  await run.capture('query-after-xml', ['-q', '-x']);
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: device-check <out-dir>   (env: NVIDIA_SMI, CLUSTERHUB_DEVICE_PYTHON)');
    process.exit(2);
  }
  const nvidiaSmi = process.env.NVIDIA_SMI ?? 'nvidia-smi';
  const python = process.env.CLUSTERHUB_DEVICE_PYTHON ?? 'python3';
  const run = new DeviceCheck(out, nvidiaSmi);
  await run.capture('version', ['--version']);
  await idlePhase(run);
  await collectorPhases(run, python);
  const failed = run.checks.filter((check) => !check.ok).length;
  writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify({ at: new Date().toISOString(), nvidiaSmi, failed, checks: run.checks }, null, 1)}\n`);
  console.log(failed === 0 ? `device check: all ${run.checks.length} checks passed` : `device check: ${failed} of ${run.checks.length} checks FAILED`);
  process.exit(failed === 0 ? 0 : 1);
}

void main();
