/**
 * The hub's GPU monitor for the local-process backend: one {@link NvidiaSmiCollector} loop (one
 * nvidia-smi run per interval for all servers, never one per server) fed with the running local
 * servers from the store, a ring buffer of recent readings per server, the per-server Prometheus
 * gauges, and the models the GPU API answers with. Built and started by the composition root.
 */
import type { ResolvedConfig } from '../../config/types';
import type { Clock } from '../../lib/clock';
import type { GpuSampleStatus, ServerGpuGauge } from '../../observability/metrics';
import type { Store } from '../../store/store';
import { GpuHistory } from './history';
import { deviceLabel, deviceModel, serverGpuModel, type GpuOverviewModel, type GpuSamplingModel, type ServerGpuModel } from './gpu-report';
import { runningLocalServers, serverKey, type WatchedLocalServer } from './local-servers';
import { NvidiaSmiCollector, type CollectOutcome, type CollectorLogger, type CommandRunner } from './nvidia-smi-collector';
import type { ProcIdsReader } from './process-owner';
import type { GpuReading } from './sample';

/** Where the monitor reports to (the hub's {@link HubMetrics}). */
export interface GpuMetricsSink {
  /** Replaces the per-server GPU gauges. */
  setServerGpu(devices: readonly ServerGpuGauge[]): void;
  /** Counts a sampling run. */
  countGpuSample(status: GpuSampleStatus): void;
}

/** Options of {@link GpuMonitor}. */
export interface GpuMonitorOptions {
  /** The `gpuMetrics` settings. */
  readonly settings: ResolvedConfig['gpuMetrics'];
  /** Where the running servers are read from. */
  readonly store: Pick<Store, 'servers'>;
  /** Gauges and counters (default: none). */
  readonly metrics?: GpuMetricsSink;
  /** Time source. */
  readonly clock: Clock;
  /** Logger. */
  readonly logger?: CollectorLogger;
  /** Runs nvidia-smi (default: execFile in the hub's environment). */
  readonly runner?: CommandRunner;
  /** Reads `/proc/<pid>/stat` ids (default over `/proc`). */
  readonly readIds?: ProcIdsReader;
}

/** The server a GPU report is asked for. */
export interface GpuServerRef {
  readonly user: string;
  readonly server: string;
  readonly profile: string | null;
  readonly state: string;
  /** When it (last) started; readings older than this belong to an earlier run and are left out. */
  readonly started: Date | null;
}

interface LastSample {
  readonly outcome: CollectOutcome;
  readonly servers: ReadonlyMap<string, WatchedLocalServer>;
}

/** See the module comment. */
export class GpuMonitor {
  private readonly history: GpuHistory;
  private readonly collector: NvidiaSmiCollector;
  private readonly sampling: GpuSamplingModel;
  /** The longest gap between readings still counted as continuous observation, ms. */
  readonly maxGapMs: number;
  private watched: ReadonlyMap<string, WatchedLocalServer> = new Map();
  private last: LastSample | null = null;
  private lastError: string | null = null;

  /** Creates the monitor; nothing runs before {@link start}. */
  constructor(private readonly options: GpuMonitorOptions) {
    const { settings } = options;
    const intervalMs = settings.intervalSeconds * 1000;
    const timeoutMs = settings.commandTimeoutSeconds * 1000;
    this.history = new GpuHistory(settings.historyMinutes * 60_000, intervalMs);
    // A run may take up to its timeout: two intervals plus that is still "continuously observed";
    // a longer silence (nvidia-smi failing or hanging) means the hub does not know.
    this.maxGapMs = 2 * intervalMs + timeoutMs;
    this.sampling = { intervalSeconds: settings.intervalSeconds, historySeconds: settings.historyMinutes * 60, thresholdPercent: settings.idleThresholdPercent };
    this.collector = new NvidiaSmiCollector({
      servers: () => this.refreshServers(),
      history: this.history,
      command: settings.nvidiaSmi,
      intervalMs,
      timeoutMs,
      clock: options.clock,
      ...(options.runner ? { runner: options.runner } : {}),
      ...(options.readIds ? { readIds: options.readIds } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      onOutcome: (outcome) => this.recordOutcome(outcome),
      onFailure: (error) => this.recordFailure(error),
    });
  }

  /** Starts the sampling loop (the first run at once). */
  start(): void {
    this.collector.start();
  }

  /** Stops the loop; resolves once a run in progress has finished. The gauges are cleared. */
  async stop(): Promise<void> {
    await this.collector.stop();
    this.options.metrics?.setServerGpu([]);
  }

  /** Recent readings of one server with their classification. */
  serverModel(ref: GpuServerRef): ServerGpuModel {
    const now = this.options.clock();
    const started = ref.started?.getTime() ?? null;
    const readings = ref.state === 'running' ? this.history.readings(serverKey(ref.user, ref.server), now).filter((r) => started === null || r.at >= started) : [];
    return serverGpuModel(readings, { ...this.sampling, ...ref, now, maxGapMs: this.maxGapMs });
  }

  /** Start (ms) of a running server's current uninterrupted GPU-idle run; null when busy, stopped or not known. */
  idleSince(ref: GpuServerRef): number | null {
    const since = this.serverModel(ref).idleSince;
    return since === null ? null : Date.parse(since);
  }

  /** Every GPU and MIG device of the last successful sample, with who holds it. */
  overview(): GpuOverviewModel {
    const last = this.last;
    const policy = { thresholdPercent: this.sampling.thresholdPercent };
    return {
      ...this.sampling,
      at: last ? new Date(last.outcome.at).toISOString() : null,
      lastError: this.lastError,
      devices: (last?.outcome.devices ?? []).map((device) => ({
        ...deviceModel(device.sample, policy),
        holders: device.holders.flatMap((key) => {
          const server = last?.servers.get(key);
          return server ? [{ user: server.user, server: server.server, profile: server.profile }] : [];
        }),
      })),
    };
  }

  private async refreshServers(): Promise<WatchedLocalServer[]> {
    const servers = await runningLocalServers(this.options.store);
    this.watched = new Map(servers.map((server) => [server.key, server]));
    return servers;
  }

  private recordOutcome(outcome: CollectOutcome): void {
    this.last = { outcome, servers: this.watched };
    this.lastError = null;
    this.options.metrics?.countGpuSample('success');
    this.options.metrics?.setServerGpu(this.gauges(outcome.readings));
  }

  private recordFailure(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.options.metrics?.countGpuSample('failure');
    // No reading, no value: stale numbers would look like a server still using its GPU.
    this.options.metrics?.setServerGpu([]);
  }

  private gauges(readings: ReadonlyMap<string, GpuReading>): ServerGpuGauge[] {
    const gauges: ServerGpuGauge[] = [];
    for (const [key, reading] of readings) {
      const server = this.watched.get(key);
      if (!server) continue;
      for (const device of reading.devices) {
        const held = device.processes.map((p) => p.usedMemoryBytes);
        gauges.push({
          user: server.user,
          server: server.server,
          profile: server.profile ?? '',
          gpu: deviceLabel(device),
          uuid: device.uuid ?? '',
          utilizationPercent: device.utilizationPercent,
          // The server's own processes' memory when the tool lists it, else the device's.
          memoryUsedBytes: held.length > 0 && held.every((m) => m !== null) ? held.reduce<number>((sum, m) => sum + (m ?? 0), 0) : device.memoryUsedBytes,
        });
      }
    }
    return gauges;
  }
}
