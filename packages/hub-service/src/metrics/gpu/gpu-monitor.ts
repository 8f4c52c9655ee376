/**
 * The hub's GPU monitor: one sampling loop over the GPU sources the hub has (the local nvidia-smi
 * collector for local-process servers; nvidia-smi on Slurm compute nodes; the DCGM exporter of a
 * Kubernetes cluster), each asked once per interval about the running servers it serves (one
 * command or scrape per node, never one per server); a ring buffer of recent readings per server,
 * the per-server Prometheus gauges, and the models the GPU API answers with. Built and started by
 * the composition root.
 */
import type { ResolvedConfig } from '../../config/types';
import type { Clock } from '../../lib/clock';
import type { GpuSampleStatus, ServerGpuGauge } from '../../observability/metrics';
import type { Store } from '../../store/store';
import { GpuHistory } from './history';
import { deviceLabel, deviceModel, serverGpuModel, type GpuOverviewModel, type GpuSamplingModel, type ServerGpuModel } from './gpu-report';
import { LocalNvidiaSmiSource } from './local-source';
import type { CollectorLogger, CommandRunner } from './nvidia-smi-collector';
import type { ProcIdsReader } from './process-owner';
import type { GpuReading } from './sample';
import type { GpuSource, GpuSourceOutcome, GpuWatchedServer } from './source';
import { runningServers, serverKey } from './watched-servers';

/** Where the monitor reports to (the hub's {@link HubMetrics}). */
export interface GpuMetricsSink {
  /** Replaces the per-server GPU gauges. */
  setServerGpu(devices: readonly ServerGpuGauge[]): void;
  /** Counts a sampling round of one source. */
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
  /** The sources besides the local one (Slurm, DCGM); default none. */
  readonly sources?: readonly GpuSource[];
  /** Whether to sample the hub's own machine with nvidia-smi (default true). */
  readonly local?: boolean;
  /** Runs the local nvidia-smi (default: execFile in the hub's environment). */
  readonly runner?: CommandRunner;
  /** Reads `/proc/<pid>/stat` ids for the local source (default over `/proc`). */
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

/** What the monitor keeps of one source. */
interface SourceState {
  readonly source: GpuSource;
  /** Its last successful round, with the servers watched then. */
  last: { readonly outcome: GpuSourceOutcome; readonly servers: ReadonlyMap<string, GpuWatchedServer> } | null;
  /** Why its newest round failed (or which nodes did); null when it worked. */
  error: string | null;
}

/** See the module comment. */
export class GpuMonitor {
  private readonly history: GpuHistory;
  private readonly sampling: GpuSamplingModel;
  private readonly intervalMs: number;
  private readonly states: SourceState[];
  /** The longest gap between readings still counted as continuous observation, ms. */
  readonly maxGapMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  /** Creates the monitor; nothing runs before {@link start}. */
  constructor(private readonly options: GpuMonitorOptions) {
    const { settings } = options;
    this.intervalMs = settings.intervalSeconds * 1000;
    const timeoutMs = settings.commandTimeoutSeconds * 1000;
    this.history = new GpuHistory(settings.historyMinutes * 60_000, this.intervalMs);
    // A run may take up to its timeout: two intervals plus that is still "continuously observed";
    // a longer silence (nvidia-smi failing or hanging) means the hub does not know.
    this.maxGapMs = 2 * this.intervalMs + timeoutMs;
    this.sampling = { intervalSeconds: settings.intervalSeconds, historySeconds: settings.historyMinutes * 60, thresholdPercent: settings.idleThresholdPercent };
    const local =
      options.local === false
        ? []
        : [
            new LocalNvidiaSmiSource({
              command: settings.nvidiaSmi,
              timeoutMs,
              clock: options.clock,
              ...(options.runner ? { runner: options.runner } : {}),
              ...(options.readIds ? { readIds: options.readIds } : {}),
            }),
          ];
    this.states = [...local, ...(options.sources ?? [])].map((source) => ({ source, last: null, error: null }));
  }

  /** Starts the sampling loop (the first round at once); rounds never overlap. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Stops the loop; resolves once a round in progress has finished and every source is closed. The gauges are cleared. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await Promise.allSettled(this.states.map((state) => state.source.close?.()));
    this.options.metrics?.setServerGpu([]);
  }

  /** One round: every source once, for the running servers it serves. */
  async sampleOnce(): Promise<void> {
    const servers = await runningServers(this.options.store);
    const byKey = new Map(servers.map((server) => [server.key, server]));
    const rounds = await Promise.allSettled(this.states.map((state) => state.source.collect(servers.filter((server) => state.source.serves(server)))));
    const gauges: ServerGpuGauge[] = [];
    rounds.forEach((round, i) => {
      const state = this.states[i];
      if (!state) return;
      if (round.status === 'fulfilled') {
        this.recordOutcome(state, round.value, byKey);
        gauges.push(...this.gauges(round.value.readings, byKey));
      } else {
        this.recordFailure(state, round.reason);
      }
    });
    // Servers that stopped lose their readings; a server whose node failed this round keeps its older ones.
    this.history.retain(byKey.keys());
    this.options.metrics?.setServerGpu(gauges);
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

  /** Every GPU and MIG device of each source's last successful round, with who holds it. */
  overview(): GpuOverviewModel {
    const policy = { thresholdPercent: this.sampling.thresholdPercent };
    const newest = Math.max(...this.states.map((state) => state.last?.outcome.at ?? -Infinity));
    const errors = this.states.flatMap((state) => (state.error === null ? [] : [`${state.source.name}: ${state.error}`]));
    return {
      ...this.sampling,
      at: Number.isFinite(newest) ? new Date(newest).toISOString() : null,
      lastError: errors.length > 0 ? errors.join('; ') : null,
      devices: this.states.flatMap(({ source, last }) =>
        (last?.outcome.devices ?? []).map((device) => ({
          ...deviceModel(device.sample, policy),
          holders: device.holders.flatMap((key) => {
            const server = last?.servers.get(key);
            return server ? [{ user: server.user, server: server.server, profile: server.profile }] : [];
          }),
          source: source.name,
          node: device.node,
        })),
      ),
      sources: this.states.map(({ source, last, error }) => ({ name: source.name, at: last ? new Date(last.outcome.at).toISOString() : null, lastError: error })),
    };
  }

  private tick(): void {
    this.running = this.sampleOnce().catch((error: unknown) => {
      // The store failed: no source ran this round.
      this.options.logger?.warn({ error: error instanceof Error ? error.message : String(error) }, 'GPU sampling round failed');
    });
    void this.running.then(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), this.intervalMs);
      this.timer.unref();
    });
  }

  private recordOutcome(state: SourceState, outcome: GpuSourceOutcome, servers: ReadonlyMap<string, GpuWatchedServer>): void {
    for (const [key, reading] of outcome.readings) this.history.record(key, reading);
    const failed = [...(outcome.failures ?? [])].map(([node, message]) => `${node}: ${message}`);
    const error = failed.length > 0 ? failed.join('; ') : null;
    if (state.error !== null && error === null) this.options.logger?.warn({ source: state.source.name, after: state.error }, 'GPU sampling works again');
    else if (error !== null && error !== state.error) this.options.logger?.warn({ source: state.source.name, error }, 'GPU sampling failed on some nodes');
    this.options.logger?.debug({ source: state.source.name, servers: outcome.readings.size }, 'GPU sample taken');
    state.last = { outcome, servers };
    state.error = error;
    this.options.metrics?.countGpuSample('success');
  }

  private recordFailure(state: SourceState, reason: unknown): void {
    const message = reason instanceof Error ? reason.message : String(reason);
    // Warn once per distinct failure, not every interval (a node without a driver fails forever).
    if (message !== state.error) this.options.logger?.warn({ source: state.source.name, error: message }, 'GPU sampling failed');
    else this.options.logger?.debug({ source: state.source.name, error: message }, 'GPU sampling still failing');
    state.error = message;
    this.options.metrics?.countGpuSample('failure');
  }

  private gauges(readings: ReadonlyMap<string, GpuReading>, servers: ReadonlyMap<string, GpuWatchedServer>): ServerGpuGauge[] {
    const gauges: ServerGpuGauge[] = [];
    for (const [key, reading] of readings) {
      const server = servers.get(key);
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
