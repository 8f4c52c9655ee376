/**
 * The GPU source of the local-process backend: one `nvidia-smi -q -x` on the hub's machine per
 * round (see {@link NvidiaSmiCollector}), each GPU process given to the local server it belongs to
 * through the pid and process group persisted in the server's handle.
 */
import { parseLocalProcessHandle } from '../../spawners/local-process/handle';
import type { Clock } from '../../lib/clock';
import { NvidiaSmiCollector, type CommandRunner } from './nvidia-smi-collector';
import type { ProcIdsReader, WatchedServer } from './process-owner';
import type { GpuSource, GpuSourceOutcome, GpuWatchedServer } from './source';

/** Options of {@link LocalNvidiaSmiSource}. */
export interface LocalNvidiaSmiSourceOptions {
  /** The nvidia-smi executable (`gpuMetrics.nvidiaSmi`). */
  readonly command: string;
  /** A run taking longer is killed and fails the round, ms. */
  readonly timeoutMs: number;
  /** Time source. */
  readonly clock: Clock;
  /** Runs nvidia-smi (default: execFile in the hub's environment). */
  readonly runner?: CommandRunner;
  /** Reads `/proc/<pid>/stat` ids (default over `/proc`). */
  readonly readIds?: ProcIdsReader;
}

/** The local server's pid and process group, or null when its handle is not a local-process one. */
function localProcess(server: GpuWatchedServer): WatchedServer | null {
  if (server.record.spawnerKind !== 'local-process' || server.record.handle === null) return null;
  const handle = parseLocalProcessHandle(server.record.handle);
  return handle ? { key: server.key, pid: handle.pid, pgid: handle.pgid } : null;
}

/** See the module comment. */
export class LocalNvidiaSmiSource implements GpuSource {
  /** See {@link GpuSource.name}. */
  readonly name = 'local';
  private readonly collector: NvidiaSmiCollector;

  /** Creates the source; nothing runs before {@link collect}. */
  constructor(options: LocalNvidiaSmiSourceOptions) {
    this.collector = new NvidiaSmiCollector({
      command: options.command,
      timeoutMs: options.timeoutMs,
      clock: options.clock,
      ...(options.runner ? { runner: options.runner } : {}),
      ...(options.readIds ? { readIds: options.readIds } : {}),
    });
  }

  /** Local-process servers with a valid handle. */
  serves(server: GpuWatchedServer): boolean {
    return localProcess(server) !== null;
  }

  /** One nvidia-smi run for all of them. */
  async collect(servers: readonly GpuWatchedServer[]): Promise<GpuSourceOutcome> {
    const watched = servers.flatMap((server) => localProcess(server) ?? []);
    const outcome = await this.collector.sample(watched);
    return { at: outcome.at, readings: outcome.readings, devices: outcome.devices.map((device) => ({ ...device, node: null })) };
  }
}
