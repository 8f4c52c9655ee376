/**
 * Prometheus metrics with JupyterHub's names (`jupyterhub_*`, see performance.md §2) so existing
 * dashboards work unchanged, plus `clusterhub_spawn_rejections_total` and the per-server GPU gauges
 * (`clusterhub_gpu_*`, docs/gpu-metrics.md) and the spend metrics (`clusterhub_compute_units_spent_total`,
 * `clusterhub_budget_remaining_units`, docs/budgets.md). Each instance has its own
 * registry (never prom-client's global one), so several hubs can live in one process (tests).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Outcome of a spawn, as JupyterHub labels it. */
export type SpawnStatus = 'success' | 'failure' | 'already-pending' | 'throttled' | 'too-many-users';

/** Outcome of a proxy route change, a server stop, or a login. */
export type OutcomeStatus = 'success' | 'failure';

/** Result of polling a server, as JupyterHub labels it. */
export type PollStatus = 'running' | 'stopped';

/**
 * Why a start was refused before it began (429s and 403s are otherwise hard to see), e.g.
 * `concurrent-spawn-limit`, `active-server-limit`, `named-server-limit`, `profile-not-allowed`, `budget`.
 */
export type SpawnRejectionReason = string;

/** One device a running server holds, as the GPU gauges label and value it. */
export interface ServerGpuGauge {
  readonly user: string;
  /** Server name (`""` for the default server). */
  readonly server: string;
  /** Profile slug (`""` when none). */
  readonly profile: string;
  /** Device label: GPU index, plus `/<gpu instance>/<compute instance>` for a MIG device. */
  readonly gpu: string;
  /** Device UUID (`""` when unknown). */
  readonly uuid: string;
  /** The device's utilisation in percent; null when the tool reports none (then no sample is exported). */
  readonly utilizationPercent: number | null;
  /** Device memory the server's processes hold, in bytes; null when unknown. */
  readonly memoryUsedBytes: number | null;
}

/** Outcome of one GPU sampling run. */
export type GpuSampleStatus = 'success' | 'failure';

const GPU_LABELS = ['user', 'server', 'profile', 'gpu', 'uuid'] as const;

/** Values of the gauges refreshed on each scrape. */
export interface GaugeValues {
  runningServers: number;
  totalUsers: number;
}

/** Options of {@link HubMetrics}. */
export interface HubMetricsOptions {
  /** Called on each scrape to refresh `running_servers` and `total_users` (else {@link HubMetrics.setGauges} values stay). */
  gauges?: () => GaugeValues | Promise<GaugeValues>;
  /** Also export prom-client's `process_*` and `nodejs_*` metrics (default false). */
  processMetrics?: boolean;
  /** Interval of the event-loop probe in milliseconds (default 50, as JupyterHub). */
  eventLoopResolutionMs?: number;
}

/** Buckets of `server_spawn_duration_seconds` (JupyterHub's, up to two minutes). */
export const SPAWN_BUCKETS: readonly number[] = [0.5, 1, 2.5, 5, 10, 15, 30, 60, 120];

/** Buckets of `event_loop_interval_seconds`: from the 50 ms probe interval up. */
export const EVENT_LOOP_BUCKETS: readonly number[] = [0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10];

/** Most event-loop samples replayed into the histogram per scrape (bounds the work of one scrape). */
const MAX_LOOP_SAMPLES_PER_SCRAPE = 100_000;

const PREFIX = 'jupyterhub_';

/** The hub's metrics. Call {@link HubMetrics.stop} when the hub shuts down. */
export class HubMetrics {
  /** The registry holding every metric of this instance. */
  readonly registry = new Registry();

  private readonly requestDuration: Histogram<'method' | 'handler' | 'code'>;
  private readonly spawnDuration: Histogram<'status'>;
  private readonly runningServers: Gauge;
  private readonly totalUsers: Gauge;
  private readonly checkRoutesDuration: Histogram;
  private readonly proxyAddDuration: Histogram<'status'>;
  private readonly proxyDeleteDuration: Histogram<'status'>;
  private readonly serverPollDuration: Histogram<'status'>;
  private readonly serverStopDuration: Histogram<'status'>;
  private readonly loginDuration: Histogram<'status'>;
  private readonly startupDuration: Histogram;
  private readonly eventLoopInterval: Histogram;
  private readonly spawnRejections: Counter<'reason'>;
  private readonly gpuUtilization: Gauge<(typeof GPU_LABELS)[number]>;
  private readonly gpuMemoryUsed: Gauge<(typeof GPU_LABELS)[number]>;
  private readonly gpuSamples: Counter<'status'>;
  private readonly unitsSpent: Counter<'user' | 'group' | 'profile'>;
  private readonly budgetRemaining: Gauge<'scope' | 'name'>;
  private readonly scrapeHooks: (() => Promise<void>)[] = [];
  private readonly loopMonitor: IntervalHistogram;
  private readonly gaugeSource: HubMetricsOptions['gauges'];

  constructor(options: HubMetricsOptions = {}) {
    const registers = [this.registry];
    const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets?: readonly number[]) =>
      new Histogram<L>({ name: PREFIX + name, help, labelNames, registers, ...(buckets ? { buckets: [...buckets] } : {}) });
    this.requestDuration = histogram('request_duration_seconds', 'Request duration for all HTTP requests', ['method', 'handler', 'code']);
    this.spawnDuration = histogram('server_spawn_duration_seconds', 'Time taken for server spawning operation', ['status'], SPAWN_BUCKETS);
    this.runningServers = new Gauge({ name: `${PREFIX}running_servers`, help: 'The number of user servers currently running', registers });
    this.totalUsers = new Gauge({ name: `${PREFIX}total_users`, help: 'Total number of users', registers });
    this.checkRoutesDuration = histogram('check_routes_duration_seconds', 'Time taken to validate all routes in proxy', []);
    this.startupDuration = histogram('hub_startup_duration_seconds', 'Time taken for Hub to start', []);
    this.loginDuration = histogram('login_duration_seconds', 'Time taken for login', ['status']);
    this.proxyAddDuration = histogram('proxy_add_duration_seconds', 'Duration for adding user routes to proxy', ['status']);
    this.proxyDeleteDuration = histogram('proxy_delete_duration_seconds', 'Duration for deleting user routes from proxy', ['status']);
    this.serverPollDuration = histogram('server_poll_duration_seconds', 'Time taken to poll if server is running', ['status']);
    this.serverStopDuration = histogram('server_stop_seconds', 'Time taken for server stopping operation', ['status']);
    this.eventLoopInterval = histogram('event_loop_interval_seconds', 'Distribution of measured event loop intervals', [], EVENT_LOOP_BUCKETS);
    this.spawnRejections = new Counter({
      name: 'clusterhub_spawn_rejections_total',
      help: 'Server starts refused before they began (spawn limits, profile access, budget), by reason',
      labelNames: ['reason'],
      registers,
    });
    this.gpuUtilization = new Gauge({
      name: 'clusterhub_gpu_utilization_percent',
      help: 'Utilisation of a GPU or MIG device a running server holds (the whole device), percent',
      labelNames: GPU_LABELS,
      registers,
    });
    this.gpuMemoryUsed = new Gauge({
      name: 'clusterhub_gpu_memory_used_bytes',
      help: "Device memory a running server's processes hold on a GPU or MIG device, bytes",
      labelNames: GPU_LABELS,
      registers,
    });
    this.gpuSamples = new Counter({
      name: 'clusterhub_gpu_samples_total',
      help: 'GPU sampling runs (one nvidia-smi run for all servers), by outcome',
      labelNames: ['status'],
      registers,
    });
    this.unitsSpent = new Counter({
      name: 'clusterhub_compute_units_spent_total',
      help: 'Compute units spent (docs/budgets.md), by user, charged group ("" for none) and profile; running servers count up to the scrape',
      labelNames: ['user', 'group', 'profile'],
      registers,
    });
    this.budgetRemaining = new Gauge({
      name: 'clusterhub_budget_remaining_units',
      help: 'Compute units left this budget period (negative when overspent), by scope (user or group) and name',
      labelNames: ['scope', 'name'],
      registers,
    });
    this.gaugeSource = options.gauges;
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
    this.loopMonitor = monitorEventLoopDelay({ resolution: options.eventLoopResolutionMs ?? 50 });
    this.loopMonitor.enable();
  }

  /** Content-Type of {@link HubMetrics.metrics}' text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Records one HTTP request: `handler` is the route pattern (not the raw path), `code` the status. */
  observeRequest(labels: { method: string; handler: string; code: number | string }, seconds: number): void {
    this.requestDuration.observe({ method: labels.method, handler: labels.handler, code: String(labels.code) }, seconds);
  }

  /** Records a finished (or refused) spawn. */
  observeSpawn(status: SpawnStatus, seconds: number): void {
    this.spawnDuration.observe({ status }, seconds);
  }

  /** Records a full route check against the proxy. */
  observeCheckRoutes(seconds: number): void {
    this.checkRoutesDuration.observe(seconds);
  }

  /** Records adding a route to the proxy. */
  observeProxyAdd(status: OutcomeStatus, seconds: number): void {
    this.proxyAddDuration.observe({ status }, seconds);
  }

  /** Records deleting a route from the proxy. */
  observeProxyDelete(status: OutcomeStatus, seconds: number): void {
    this.proxyDeleteDuration.observe({ status }, seconds);
  }

  /** Records one poll of a server. */
  observeServerPoll(status: PollStatus, seconds: number): void {
    this.serverPollDuration.observe({ status }, seconds);
  }

  /** Records a server stop. */
  observeServerStop(status: OutcomeStatus, seconds: number): void {
    this.serverStopDuration.observe({ status }, seconds);
  }

  /** Records a login attempt. */
  observeLogin(status: OutcomeStatus, seconds: number): void {
    this.loginDuration.observe({ status }, seconds);
  }

  /** Records how long the hub took to start (once per start). */
  observeHubStartup(seconds: number): void {
    this.startupDuration.observe(seconds);
  }

  /** Counts a start refused before it began. */
  countSpawnRejection(reason: SpawnRejectionReason): void {
    this.spawnRejections.inc({ reason });
  }

  /**
   * Replaces the per-server GPU gauges with `devices`: a server or device not listed (stopped, or
   * no longer holding the device) has no series any more. An empty list clears them all.
   */
  setServerGpu(devices: readonly ServerGpuGauge[]): void {
    this.gpuUtilization.reset();
    this.gpuMemoryUsed.reset();
    for (const device of devices) {
      const labels = { user: device.user, server: device.server, profile: device.profile, gpu: device.gpu, uuid: device.uuid };
      if (device.utilizationPercent !== null) this.gpuUtilization.set(labels, device.utilizationPercent);
      if (device.memoryUsedBytes !== null) this.gpuMemoryUsed.set(labels, device.memoryUsedBytes);
    }
  }

  /** Counts one GPU sampling run. */
  countGpuSample(status: GpuSampleStatus): void {
    this.gpuSamples.inc({ status });
  }

  /** Adds compute units spent by `user` on `profile`, charged to `group` (`""`: none). */
  addUnitsSpent(labels: { user: string; group: string; profile: string }, units: number): void {
    if (units > 0) this.unitsSpent.inc(labels, units);
  }

  /** Replaces the budget gauges with `budgets` (a budget not listed has no series any more). */
  setBudgetsRemaining(budgets: readonly { scope: 'user' | 'group'; name: string; remaining: number }[]): void {
    this.budgetRemaining.reset();
    for (const b of budgets) this.budgetRemaining.set({ scope: b.scope, name: b.name }, b.remaining);
  }

  /** Runs `hook` before each scrape (after the gauges callback), e.g. to bring the spend metrics up to date. */
  addScrapeHook(hook: () => Promise<void>): void {
    this.scrapeHooks.push(hook);
  }

  /** Sets `running_servers` and `total_users` (when no `gauges` callback refreshes them). */
  setGauges(values: GaugeValues): void {
    this.runningServers.set(values.runningServers);
    this.totalUsers.set(values.totalUsers);
  }

  /**
   * Moves the event-loop probe's samples since the last scrape into `event_loop_interval_seconds`.
   * The probe keeps a distribution, not raw samples: each percentile band is replayed at its upper value.
   */
  private sampleEventLoop(): void {
    const count = this.loopMonitor.count;
    if (count === 0) return;
    const scale = Math.min(1, MAX_LOOP_SAMPLES_PER_SCRAPE / count);
    const bands = [...this.loopMonitor.percentiles.entries()].sort(([a], [b]) => a - b);
    let replayed = 0;
    for (const [percentile, nanos] of bands) {
      const upTo = Math.round((count * scale * percentile) / 100);
      for (; replayed < upTo; replayed += 1) this.eventLoopInterval.observe(nanos / 1e9);
    }
    this.loopMonitor.reset();
  }

  /** The metrics in Prometheus text format (refreshes the gauges and the event-loop histogram first). */
  async metrics(): Promise<string> {
    if (this.gaugeSource) this.setGauges(await this.gaugeSource());
    for (const hook of this.scrapeHooks) await hook();
    this.sampleEventLoop();
    return this.registry.metrics();
  }

  /** Stops the event-loop probe. The metrics stay readable. */
  stop(): void {
    this.loopMonitor.disable();
  }
}
