/**
 * The local GPU collector: every interval it runs ONE `nvidia-smi -q -x` on the hub's machine,
 * parses it, gives each GPU process to the local server it belongs to (process group, session or
 * parent chain, read from `/proc`), and records one reading per watched server in a
 * {@link GpuHistory}. Where several servers share one whole GPU, one `nvidia-smi pmon` sample in
 * the same interval gives each its own processes' utilisation instead of the GPU's. A failed or
 * unparsable run records nothing: the gap means "not known to be idle" to the classifier. nvidia-smi reports pids of the host's pid namespace: the hub must see
 * the same pids as its servers (true for the local-process backend on one machine).
 */
import { execFile } from 'node:child_process';
import { systemClock, type Clock } from '../../lib/clock';
import type { GpuHistory } from './history';
import { parsePmon, smByProcess } from './pmon';
import { findOwner, procIdsReader, type ProcIdsReader, type WatchedServer } from './process-owner';
import { holdableDevices, parseQueryXml } from './query-xml';
import { deviceKey, type GpuProcessSample, type GpuReading, type GpuSample } from './sample';

/** What a command printed and how it ended. */
export interface CommandResult {
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
  /** Exit status; null when it was killed (timeout). */
  readonly exitCode: number | null;
}

/** Runs a command without a shell; resolves whatever its exit status (rejects only if it cannot start). */
export type CommandRunner = (command: string, args: readonly string[], timeoutMs: number) => Promise<CommandResult>;

/** The most output read from one run (a large node's XML is a few hundred KiB). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * A {@link CommandRunner} over `child_process.execFile`.
 *
 * @param env the command's environment (default: the hub's).
 */
export function createExecFileRunner(env?: NodeJS.ProcessEnv): CommandRunner {
  return (command, args, timeoutMs) =>
    new Promise((resolve, reject) => {
      const options = { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' as const, ...(env ? { env } : {}) };
      execFile(command, [...args], options, (error, stdout, stderr) => {
        // A string code is a failure to run at all (ENOENT, EACCES); a number is an exit status.
        if (error && typeof error.code === 'string') {
          reject(error);
          return;
        }
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ stdout, stderr, exitCode });
      });
    });
}

/** The default {@link CommandRunner}: `execFile` in the hub's environment. */
export const execFileRunner: CommandRunner = createExecFileRunner();

/** The arguments of the one command run per interval. */
export const NVIDIA_SMI_ARGS: readonly string[] = ['-q', '-x'];

/** The arguments of the second command, run only in an interval where servers share a whole GPU: one pmon sample. */
export const PMON_ARGS: readonly string[] = ['pmon', '-c', '1', '-s', 'u'];

/** The logging the collector does (a pino logger fits). */
export interface CollectorLogger {
  /** A run failed. */
  warn(fields: object, message: string): void;
  /** Detail for troubleshooting. */
  debug(fields: object, message: string): void;
}

/** Options of {@link NvidiaSmiCollector}. */
export interface NvidiaSmiCollectorOptions {
  /** The running servers to watch, asked for at each run of {@link NvidiaSmiCollector.collectOnce} (default: none). */
  readonly servers?: () => readonly WatchedServer[] | Promise<readonly WatchedServer[]>;
  /** Where the readings of {@link NvidiaSmiCollector.collectOnce} go (default: nowhere). */
  readonly history?: GpuHistory;
  /** The nvidia-smi executable (default `nvidia-smi`, looked up on PATH). */
  readonly command?: string;
  /** Runs it (default {@link execFileRunner}). */
  readonly runner?: CommandRunner;
  /** Time between two runs in ms (default 5000). */
  readonly intervalMs?: number;
  /** A run taking longer is killed and counts as failed (default 20000). */
  readonly timeoutMs?: number;
  /** Time source (default the system clock). */
  readonly clock?: Clock;
  /** Reads `/proc/<pid>/stat` ids (default over `/proc`). */
  readonly readIds?: ProcIdsReader;
  /** Logger (default: none). */
  readonly logger?: CollectorLogger;
  /** Called after each successful run of the loop ({@link NvidiaSmiCollector.start}). */
  readonly onOutcome?: (outcome: CollectOutcome) => void;
  /** Called after each failed run of the loop, with the error. */
  readonly onFailure?: (error: unknown) => void;
}

/** One device (a GPU, or a MIG device) of a run, with the servers whose processes use it. */
export interface ObservedDevice {
  /** The device's sample, with every process on it. */
  readonly sample: GpuSample;
  /** Keys of the watched servers holding it (none: free, or used by no watched server). */
  readonly holders: readonly string[];
}

/** A GPU process that belongs to no watched server. */
export interface UnownedProcess {
  /** Its pid. */
  readonly pid: number;
  /** The device it runs on ({@link deviceKey}). */
  readonly device: string;
}

/** What one run found. */
export interface CollectOutcome {
  /** When it ran (the collector's clock). */
  readonly at: number;
  /** The reading recorded for each watched server, by server key. */
  readonly readings: ReadonlyMap<string, GpuReading>;
  /** GPU processes of no watched server (other users, system services, ended servers). */
  readonly unowned: readonly UnownedProcess[];
  /** Every device a server can hold (whole GPUs, or the MIG devices of a GPU in MIG mode), in the tool's order. */
  readonly devices: readonly ObservedDevice[];
}

/** The error of a run whose command failed. */
export class NvidiaSmiCommandError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = 'NvidiaSmiCommandError';
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 300) ?? '';
}

/** Samples the local GPUs for the local servers; see the module comment. */
export class NvidiaSmiCollector {
  private readonly command: string;
  private readonly runner: CommandRunner;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly readIds: ProcIdsReader;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private lastFailure: string | null = null;

  /** Creates a collector; nothing runs before {@link collectOnce} or {@link start}. */
  constructor(private readonly options: NvidiaSmiCollectorOptions) {
    this.command = options.command ?? 'nvidia-smi';
    this.runner = options.runner ?? execFileRunner;
    this.intervalMs = options.intervalMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 20000;
    this.clock = options.clock ?? systemClock;
    this.readIds = options.readIds ?? procIdsReader();
  }

  /**
   * Runs nvidia-smi once and records a reading for every watched server (a server with no GPU
   * process gets a reading with no device: it holds nothing).
   *
   * @throws NvidiaSmiCommandError when the command fails, NvidiaSmiParseError when its output does
   *   not parse; nothing is recorded then.
   */
  async collectOnce(): Promise<CollectOutcome> {
    const servers = (await this.options.servers?.()) ?? [];
    const outcome = await this.sample(servers);
    for (const [key, reading] of outcome.readings) this.options.history?.record(key, reading);
    this.options.history?.retain(outcome.readings.keys());
    return outcome;
  }

  /**
   * Runs nvidia-smi once and gives each GPU process to the server it belongs to; records nothing.
   * Every server gets a reading (one with no device holds nothing).
   *
   * @throws NvidiaSmiCommandError when the command fails, NvidiaSmiParseError when its output does
   *   not parse.
   */
  async sample(servers: readonly WatchedServer[]): Promise<CollectOutcome> {
    const result = await this.runner(this.command, NVIDIA_SMI_ARGS, this.timeoutMs);
    if (result.exitCode !== 0) {
      const detail = firstLine(result.stderr) || firstLine(result.stdout);
      throw new NvidiaSmiCommandError(`${this.command} ${NVIDIA_SMI_ARGS.join(' ')} exited with ${result.exitCode ?? 'a signal (timeout?)'}: ${detail}`);
    }
    const at = this.clock();
    const devices = holdableDevices(parseQueryXml(result.stdout));
    const owned = new Map<string, GpuSample[]>(servers.map((server) => [server.key, []]));
    const unowned: UnownedProcess[] = [];
    const owners = new Map<number, WatchedServer | null>();
    const observed: ObservedDevice[] = [];
    const held: { device: GpuSample; byServer: Map<string, GpuProcessSample[]> }[] = [];
    for (const device of devices) {
      const byServer = new Map<string, GpuProcessSample[]>();
      for (const process of device.processes) {
        if (!owners.has(process.pid)) owners.set(process.pid, await findOwner(process.pid, servers, this.readIds));
        const owner = owners.get(process.pid);
        if (!owner) {
          unowned.push({ pid: process.pid, device: deviceKey(device) });
          continue;
        }
        byServer.set(owner.key, [...(byServer.get(owner.key) ?? []), process]);
      }
      held.push({ device, byServer });
      observed.push({ sample: { ...device, at }, holders: [...byServer.keys()] });
    }
    // A whole GPU that several servers share: each gets its own processes' utilisation (pmon),
    // not the GPU's, when pmon answers; else the GPU's (never a false "idle").
    const shared = held.some(({ device, byServer }) => byServer.size > 1 && device.gpuInstanceId === undefined);
    const perProcess = shared ? await this.processUtilisation() : null;
    for (const { device, byServer } of held) {
      const split = perProcess !== null && byServer.size > 1 && device.gpuInstanceId === undefined && device.index !== null;
      for (const [key, processes] of byServer) {
        const own = split ? Math.min(100, processes.reduce((sum, p) => sum + (perProcess.get(`${device.index}/${p.pid}`) ?? 0), 0)) : device.utilizationPercent;
        owned.get(key)?.push({ ...device, at, processes, utilizationPercent: own });
      }
    }
    const readings = new Map<string, GpuReading>();
    for (const [key, held] of owned) readings.set(key, { at, devices: held });
    return { at, readings, unowned, devices: observed };
  }

  /** SM utilisation per `gpu/pid` from one `nvidia-smi pmon`; null when it fails (the caller keeps the GPU's). */
  private async processUtilisation(): Promise<Map<string, number> | null> {
    try {
      const result = await this.runner(this.command, PMON_ARGS, this.timeoutMs);
      if (result.exitCode !== 0) return null;
      return smByProcess(parsePmon(result.stdout));
    } catch {
      return null;
    }
  }

  /** Starts running every `intervalMs` (the first run at once); runs never overlap. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Stops; resolves once a run in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs a listener; one that throws is logged, never stops the loop. */
  private notify(listener: () => void): void {
    try {
      listener();
    } catch (error: unknown) {
      this.options.logger?.warn({ error: error instanceof Error ? error.message : String(error) }, 'GPU sample listener failed');
    }
  }

  private tick(): void {
    this.running = this.collectOnce().then(
      (outcome) => {
        if (this.lastFailure !== null) this.options.logger?.warn({ after: this.lastFailure }, 'GPU sampling works again');
        this.lastFailure = null;
        this.options.logger?.debug({ servers: outcome.readings.size, unowned: outcome.unowned.length }, 'GPU sample taken');
        this.notify(() => this.options.onOutcome?.(outcome));
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // Warn once per distinct failure, not every interval (a node without a driver fails forever).
        if (message !== this.lastFailure) this.options.logger?.warn({ error: message }, 'GPU sampling failed');
        else this.options.logger?.debug({ error: message }, 'GPU sampling still failing');
        this.lastFailure = message;
        this.notify(() => this.options.onFailure?.(error));
      },
    );
    void this.running.then(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.intervalMs);
      this.timer.unref();
    });
  }
}
