import { findProfile, serverPrefix, transition, type ProfileConfig, type ServerState, type StopReason } from '@clusterhub/shared';
import { StoreConflictError, type Store, type ServerRecord, type UserRecord } from '../store/store';
import type { PollResult, ServerLogRef, Spawner, SpawnHandle } from '../spawners/spawner';
import type { Backends, NamedBackend } from '../spawners/backends';
import type { ResolvedConfig } from '../config/types';
import type { Logger } from '../observability/logger';
import type { Clock } from '../lib/clock';
import { HubError } from '../errors';
import { waitForHttp } from '../lib/wait-http';
import { Deadline } from '../lib/deadline';
import { PortReports } from './port-reports';
import { ProgressLog } from './progress';
import { buildServerEnv } from './server-env';
import { ServerCredentials } from './server-credentials';
import type { RouteService } from './route-service';
import { chargedGroup, type ChargeGroupChoice, type Ledger } from './ledger';
import type { BudgetService } from './budget';
import type { AuditLog } from './audit';

/** Dependencies of {@link ServerLifecycle}. */
export interface ServerLifecycleDeps {
  readonly store: Store;
  /** The backends by name: a profile names the one it runs on, a server record the one holding its handle. */
  readonly backends: Backends;
  readonly routes: RouteService;
  readonly config: ResolvedConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hub URL servers use (ending in `/hub/`); a function because the internal port is known only after listen. */
  readonly hubUrl: () => string;
  /** Observes finished spawns and stops (metrics). */
  readonly observe?: {
    spawn(status: 'success' | 'failure', seconds: number): void;
    stop(status: 'success' | 'failure', seconds: number): void;
    rejected(reason: string): void;
  };
  /** The compute-unit ledger: one session per start, closed with the stop (docs/budgets.md). */
  readonly ledger?: Ledger;
  /** Budgets: checked before every start, before anything is written. */
  readonly budget?: BudgetService;
  /** The audit log: every recorded start and every stop (docs/audit.md). */
  readonly audit?: AuditLog;
  /** Checked before every start, before anything is written: the group refresh before a start (docs/login.md). */
  readonly startCheck?: { beforeStart(user: UserRecord, profile: ProfileConfig): Promise<void> };
}

/** A start in flight. */
interface InFlight {
  readonly abort: AbortController;
  readonly done: Promise<void>;
}

/** A server to create and start in one step (see {@link ServerLifecycle.start}). */
export interface NewServer {
  readonly userId: number;
  readonly name: string;
  readonly displayName: string;
}

/** How to start a server ({@link ServerLifecycle.start}). */
export interface StartOptions {
  /** The profile, already checked to be one the user may use. */
  readonly profile: ProfileConfig;
  /** Stored with the server (the start's `user_options`). */
  readonly userOptions: Record<string, unknown>;
  /** Skip the budget check (the budget downshift moves a server whose budget is used up to a cheaper profile). */
  readonly overBudget?: boolean;
  /** The group to charge (`charge_group`); without it the default rule (docs/budgets.md). */
  readonly chargeGroup?: ChargeGroupChoice | null;
  /**
   * Prefer the group of the server's last session (a downshift: the running server moves to another
   * profile): kept when the new profile lists it, else the default rule. Ignored with `chargeGroup`.
   */
  readonly keepChargeGroup?: boolean;
}

/** What {@link ServerLifecycle.start} returns. */
export interface StartOutcome {
  /** Settles when the start finished (resolves on ready; rejects on failure). */
  readonly done: Promise<void>;
  /** True when a start was already in progress (nothing new was started). */
  readonly alreadyPending: boolean;
}

/**
 * Owns the lifecycle of user servers: start (token + OAuth client, spawner, wait-up, route),
 * stop, polling, and re-adoption after a hub restart. Backends only start/poll/stop; timeouts,
 * readiness, progress, persistence and the state machine live here (architecture.md decision 3).
 */
export class ServerLifecycle {
  private readonly inflight = new Map<number, InFlight>();
  private readonly progress = new Map<number, ProgressLog>();
  private readonly credentials: ServerCredentials;
  /** Ports reported by starting servers (`POST /hub/api/batchspawner`). */
  readonly reports = new PortReports();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(private readonly deps: ServerLifecycleDeps) {
    this.credentials = new ServerCredentials(deps.store);
  }

  /** The progress log of a server's current or last start, if this hub process has one. */
  progressOf(serverId: number): ProgressLog | null {
    return this.progress.get(serverId) ?? null;
  }

  /** Number of starts in flight. */
  get pendingSpawns(): number {
    return this.inflight.size;
  }

  /**
   * Starts a server with a profile the caller already checked the user may use. A
   * {@link NewServer} is created in the same transaction that records the start, so a refused or
   * failed start leaves no server row behind.
   * Throws HubError: `server_running`, `server_pending_stop`, `too_many_spawns`, `active_server_limit`,
   * `invalid_charge_group`, `budget_exceeded` (see {@link StartOptions}).
   */
  async start(user: UserRecord, server: ServerRecord | NewServer, opts: StartOptions): Promise<StartOutcome> {
    if (!('id' in server)) return this.startNew(user, server, opts);
    const existing = this.inflight.get(server.id);
    if (existing) return { done: existing.done, alreadyPending: true };
    let current = server;
    if (current.state === 'running') current = await this.verifyRunning(user, current);
    if (current.state === 'running') throw new HubError('server_running', `${describe(user, current)} is already running.`);
    if (current.state === 'pending-stop') throw new HubError('server_pending_stop', `${describe(user, current)} is stopping; start it again once it has stopped.`);
    if (current.state === 'pending-start') return { done: Promise.resolve(), alreadyPending: true };
    const nextState = transition(current.state, 'start');
    if (!nextState) throw new HubError('bad_request', `Cannot start ${describe(user, current)} while it is ${current.state}.`);
    const { backend, group } = await this.checkBeforeStart(user, current.id, opts);
    const id = current.id;
    current = (await this.deps.store.transaction(async (tx) => this.recordStart(tx, user, id, nextState, backend, opts, group))) ?? current;
    await this.auditStart(user, current, backend);
    return this.launch(user, current, opts.profile);
  }

  /** Creates and starts a server that has no row yet (a concurrent creation of the same name is started instead). */
  private async startNew(user: UserRecord, spec: NewServer, opts: StartOptions): Promise<StartOutcome> {
    const { backend, group } = await this.checkBeforeStart(user, null, opts);
    const nextState = transition('stopped', 'start');
    if (!nextState) throw new HubError('bad_request', `Cannot start a new server of ${user.name}.`);
    let created: ServerRecord | null;
    try {
      created = await this.deps.store.transaction(async (tx) => {
        const row = await tx.servers.create({ userId: spec.userId, name: spec.name, displayName: spec.displayName });
        return this.recordStart(tx, user, row.id, nextState, backend, opts, group);
      });
    } catch (err) {
      const again = err instanceof StoreConflictError ? await this.deps.store.servers.get(spec.userId, spec.name) : null;
      if (again) return this.start(user, again, opts);
      throw err;
    }
    if (!created) throw new HubError('internal_error', `The new server of ${user.name} vanished while starting.`);
    await this.auditStart(user, created, backend);
    return this.launch(user, created, opts.profile);
  }

  /**
   * Everything a start must pass before anything is written, for a server with a row (`serverId`)
   * or a new one (null): the start check (group refresh), the backend's own check of the options,
   * the charged group, the budget (both skipped with `overBudget`) and the spawn limits.
   */
  private async checkBeforeStart(user: UserRecord, serverId: number | null, opts: StartOptions): Promise<{ backend: NamedBackend; group: string | null }> {
    if (opts.overBudget !== true) await this.deps.startCheck?.beforeStart(user, opts.profile);
    const backend = this.backendOf(opts.profile);
    backend.spawner.checkStart?.({ profile: opts.profile, userOptions: opts.userOptions });
    const group = await this.chargeGroupOf(user, serverId, opts);
    if (opts.overBudget !== true) await this.deps.budget?.checkStart(user, opts.profile, group);
    await this.checkLimits();
    return { backend, group };
  }

  /**
   * The group a start is charged to (docs/budgets.md): the chosen one, or with `keepChargeGroup`
   * the group of the server's last session when the profile lists it, else the first of the
   * user's groups the profile lists. Throws `invalid_charge_group` for a choice not allowed.
   */
  private async chargeGroupOf(user: UserRecord, serverId: number | null, opts: StartOptions): Promise<string | null> {
    let choice = opts.chargeGroup ?? null;
    if (choice === null && opts.keepChargeGroup === true && serverId !== null && this.deps.ledger) {
      const last = await this.deps.ledger.lastSession(serverId);
      if (last?.groupName) choice = { group: last.groupName, required: false };
    }
    return chargedGroup(opts.profile, await this.deps.store.groups.groupNamesOf(user.id), choice);
  }

  /** The backend a profile runs on; `backend_unavailable` when it is not configured. */
  private backendOf(profile: ProfileConfig): NamedBackend {
    const backend = this.deps.backends.forProfile(profile);
    if (!backend) throw new HubError('backend_unavailable', `Profile ${profile.slug} runs on backend ${JSON.stringify(profile.backend)}, which this hub does not configure.`);
    return backend;
  }

  /** The spawner holding a server's handle; `backend_unavailable` when its backend was removed from the config. */
  private spawnerOf(server: ServerRecord): Spawner {
    const backend = this.deps.backends.forServer(server);
    if (!backend) throw new HubError('backend_unavailable', `${serverLabel(server)} runs on backend ${JSON.stringify(server.backend)}, which is no longer configured.`);
    return backend.spawner;
  }

  /** Refuses a start over the concurrent-spawn or active-server limit (429 with `Retry-After`). */
  private async checkLimits(): Promise<void> {
    const hub = this.deps.config.hub;
    if (hub.concurrentSpawnLimit > 0 && this.inflight.size >= hub.concurrentSpawnLimit) {
      this.deps.observe?.rejected('concurrent_spawn_limit');
      throw new HubError('too_many_spawns', `${this.inflight.size} servers are starting, the limit is ${hub.concurrentSpawnLimit}; try again shortly.`, {
        headers: { 'Retry-After': String(30 + Math.floor(Math.random() * 30)) },
      });
    }
    if (hub.activeServerLimit > 0 && (await this.deps.store.servers.countActive()) >= hub.activeServerLimit) {
      this.deps.observe?.rejected('active_server_limit');
      throw new HubError('active_server_limit', `The hub runs its limit of ${hub.activeServerLimit} servers; try again later.`, {
        headers: { 'Retry-After': String(60 + Math.floor(Math.random() * 60)) },
      });
    }
  }

  /**
   * Records a start in `tx`: the server becomes `nextState` with its profile, options and backend,
   * both the server's and the user's `last_activity` become now (as JupyterHub does at spawn), and
   * the ledger session opens, charged to `group`.
   */
  private async recordStart(
    tx: Store,
    user: UserRecord,
    serverId: number,
    nextState: ServerState,
    backend: NamedBackend,
    opts: StartOptions,
    group: string | null,
  ): Promise<ServerRecord | null> {
    const { profile, userOptions } = opts;
    const now = new Date(this.deps.clock());
    const updated = await tx.servers.update(serverId, {
      state: nextState,
      profile: profile.slug,
      userOptions,
      spawnerKind: backend.spawner.kind,
      backend: backend.name,
      handle: null,
      target: null,
      started: now,
      lastActivity: now,
      stopReason: null,
      message: null,
    });
    await tx.users.touchActivity(user.id, now);
    if (updated) await this.deps.ledger?.open(tx, user, updated, profile, now, group);
    return updated;
  }

  /** Records a start in the audit log (by the caller of the running request). */
  private auditStart(user: UserRecord, server: ServerRecord, backend: NamedBackend): Promise<void> {
    return this.deps.audit?.record({ action: 'server.start', user: user.name, server: server.name, details: { profile: server.profile, backend: backend.name } }) ?? Promise.resolve();
  }

  /** Records a stop in the audit log: why, and how long the server ran since its start was recorded. */
  private auditStop(user: UserRecord, server: ServerRecord, at: Date, reason: StopReason, state: 'stopped' | 'failed', message: string | null): Promise<void> {
    const seconds = server.started ? Math.max(0, (at.getTime() - server.started.getTime()) / 1000) : null;
    return (
      this.deps.audit?.record({
        action: 'server.stop',
        user: user.name,
        server: server.name,
        details: { reason, duration_seconds: seconds, profile: server.profile, backend: server.backend ?? 'default', ...(state === 'failed' ? { failed: true } : {}), ...(message ? { message } : {}) },
      }) ?? Promise.resolve()
    );
  }

  /** Runs a recorded start in the background and tracks it as in flight. */
  private launch(user: UserRecord, server: ServerRecord, profile: ProfileConfig): StartOutcome {
    const log = new ProgressLog();
    this.progress.set(server.id, log);
    log.push({ progress: 0, message: 'Server requested' });
    const abort = new AbortController();
    const done = this.runStart(user, server, profile, log, abort.signal).finally(() => this.inflight.delete(server.id));
    done.catch(() => undefined);
    this.inflight.set(server.id, { abort, done });
    return { done, alreadyPending: false };
  }

  private async runStart(user: UserRecord, server: ServerRecord, profile: ProfileConfig, log: ProgressLog, signal: AbortSignal): Promise<void> {
    const { config, store, logger } = this.deps;
    const t0 = this.deps.clock();
    const prefix = serverPrefix(user.name, server.name, config.hub.baseUrl);
    let handle: SpawnHandle | null = null;
    const deadline = new Deadline(config.hub.startTimeoutSeconds * 1000);
    const timeout = deadline.signal;
    const startSignal = AbortSignal.any([signal, timeout]);
    this.reports.expect(server.id);
    try {
      const apiToken = await this.credentials.issue(user, server, prefix);
      const groups = await store.groups.groupNamesOf(user.id);
      const env = buildServerEnv({
        userName: user.name,
        serverName: server.name,
        apiToken,
        baseUrl: config.hub.baseUrl,
        prefix,
        hubUrl: this.deps.hubUrl(),
        profile,
        defaultUrl: config.spawner.defaultUrl,
      });
      log.push({ progress: 10, message: `Starting ${profile.displayName} server…` });
      const result = await this.spawnerOf(server).start(
        { user: { id: user.id, name: user.name, groups }, server: { id: server.id, name: server.name }, profile, userOptions: server.userOptions, prefix, env },
        {
          signal: startSignal,
          onProgress: (e) => log.push({ progress: e.progress, message: e.message, html_message: e.htmlMessage }),
          persistHandle: async (early) => {
            handle = early;
            await store.servers.update(server.id, { handle: early });
          },
          waitForPortReport: () => this.reports.wait(server.id, startSignal),
          extendDeadline: (epochMs) => deadline.extendTo(epochMs),
        },
      );
      handle = result.handle;
      await store.servers.update(server.id, { handle: result.handle, target: result.target });
      log.push({ progress: 60, message: 'Waiting for the server to answer…' });
      const remainingMs = Math.max(1000, config.hub.httpTimeoutSeconds * 1000);
      await waitForHttp(`${result.target}${prefix}api`, { timeoutMs: remainingMs, signal: startSignal });
      startSignal.throwIfAborted();
      await this.deps.routes.addServerRoute(user.name, server.name, result.target);
      await store.servers.update(server.id, { state: 'running', message: null });
      log.push({
        progress: 100,
        ready: true,
        message: `Server ready at ${prefix}`,
        html_message: `Server ready at <a href="${prefix}">${prefix}</a>`,
        url: prefix,
      });
      logger.info({ user: user.name, server: server.name, profile: profile.slug, seconds: (this.deps.clock() - t0) / 1000 }, 'server started');
      this.deps.observe?.spawn('success', (this.deps.clock() - t0) / 1000);
    } catch (err) {
      const reason = signal.aborted
        ? 'Spawn cancelled'
        : timeout.aborted
          ? `Spawn failed: the server did not start within ${config.hub.startTimeoutSeconds} s`
          : `Spawn failed: ${err instanceof Error ? err.message : String(err)}`;
      logger.warn({ user: user.name, server: server.name, err: String(err) }, 'server start failed');
      this.deps.observe?.spawn('failure', (this.deps.clock() - t0) / 1000);
      const stopReason: StopReason = signal.aborted ? (signal.reason instanceof StartCancelled ? signal.reason.stopReason : 'user') : 'error';
      await this.cleanup(user, server, handle, signal.aborted ? 'stopped' : 'failed', stopReason, reason).catch((e: unknown) =>
        logger.error({ err: String(e) }, 'cleanup after failed start failed'),
      );
      log.push({ failed: true, message: reason });
      throw new HubError('spawn_failed', reason, { cause: err });
    } finally {
      deadline.clear();
      this.reports.forget(server.id);
    }
  }

  /**
   * Stops a server. Resolves when it has stopped; a start in progress is cancelled first.
   * Stopping a stopped server is a no-op.
   */
  async stop(user: UserRecord, server: ServerRecord, reason: StopReason): Promise<void> {
    const pending = this.inflight.get(server.id);
    if (pending) {
      pending.abort.abort(new StartCancelled(reason));
      await pending.done.catch(() => undefined);
      return;
    }
    const current = (await this.deps.store.servers.getById(server.id)) ?? server;
    if (current.state === 'stopped' || current.state === 'failed') return;
    const t0 = this.deps.clock();
    await this.deps.store.servers.update(current.id, { state: 'pending-stop' });
    try {
      await this.deps.routes.deleteServerRoute(user.name, current.name);
      await this.cleanup(user, current, current.handle, 'stopped', reason, null);
      this.deps.observe?.stop('success', (this.deps.clock() - t0) / 1000);
      this.deps.logger.info({ user: user.name, server: current.name, reason }, 'server stopped');
    } catch (err) {
      this.deps.observe?.stop('failure', (this.deps.clock() - t0) / 1000);
      throw err;
    }
  }

  /** Stops the backend (if a handle is known), revokes the server's credentials and records the final state. */
  private async cleanup(
    user: UserRecord,
    server: ServerRecord,
    handle: SpawnHandle | null,
    state: 'stopped' | 'failed',
    reason: StopReason,
    message: string | null,
  ): Promise<void> {
    if (handle) await this.spawnerOf(server).stop(handle, { timeoutSeconds: this.deps.config.hub.slowStopTimeoutSeconds });
    await this.credentials.revoke(user, server);
    const now = new Date(this.deps.clock());
    await this.deps.store.transaction(async (tx) => {
      await tx.servers.update(server.id, { state, handle: null, target: null, started: null, lastActivity: now, stopReason: reason, message });
      await this.deps.ledger?.close(tx, server.id, now, reason);
    });
    await this.auditStop(user, server, now, reason, state, message);
  }

  /** The last `maxLines` lines of a server's log (Spawner.logTail), or null when the backend keeps none. */
  async logTail(server: ServerLogRef & { readonly backend: string | null }, maxLines: number): Promise<string | null> {
    const spawner = this.deps.backends.forServer(server)?.spawner;
    return spawner?.logTail === undefined ? null : spawner.logTail(server, maxLines);
  }

  /**
   * Polls a server recorded as running; marks it stopped (reason `died`) when its backend says it
   * is gone. Returns the server as recorded afterwards. Also used by the proxy's error target.
   */
  async verifyRunning(user: UserRecord, server: ServerRecord): Promise<ServerRecord> {
    if (!server.handle) return server;
    const result = await this.pollOne(server);
    return this.settle(user, server, result);
  }

  /** Polls one server on its backend; `unknown` when that backend is no longer configured. */
  private async pollOne(server: ServerRecord): Promise<PollResult> {
    if (!server.handle) return { status: 'stopped' };
    const backend = this.deps.backends.forServer(server);
    if (!backend) return { status: 'unknown', message: `backend ${JSON.stringify(server.backend)} is no longer configured` };
    return backend.spawner.poll(server.handle);
  }

  /**
   * Polls servers grouped by backend: a backend with `pollMany` is asked once for all of its
   * servers (one scheduler query per cycle), the others once per server. A backend that fails
   * answers `unknown` for its servers.
   */
  private async pollGrouped(servers: readonly ServerRecord[]): Promise<Map<number, PollResult>> {
    const results = new Map<number, PollResult>();
    const groups = new Map<string, { backend: NamedBackend; servers: ServerRecord[] }>();
    for (const server of servers) {
      const backend = server.handle ? this.deps.backends.forServer(server) : null;
      if (!backend) {
        results.set(server.id, await this.pollOne(server));
        continue;
      }
      const group = groups.get(backend.name) ?? { backend, servers: [] };
      group.servers.push(server);
      groups.set(backend.name, group);
    }
    for (const { backend, servers: group } of groups.values()) {
      const handles = group.map((s) => s.handle as SpawnHandle);
      try {
        const answers = backend.spawner.pollMany
          ? await backend.spawner.pollMany(handles)
          : await Promise.all(handles.map((h) => backend.spawner.poll(h)));
        group.forEach((server, i) => results.set(server.id, answers[i] ?? { status: 'unknown', message: 'no answer from the backend' }));
      } catch (err) {
        for (const server of group) results.set(server.id, { status: 'unknown', message: `polling backend ${backend.name} failed: ${String(err)}` });
      }
    }
    return results;
  }

  /** Marks a running server stopped (reason `died`) when `result` says it is gone; returns it as recorded. */
  private async settle(user: UserRecord, server: ServerRecord, result: PollResult): Promise<ServerRecord> {
    if (result.status === 'unknown' || server.message?.startsWith(UNKNOWN_PREFIX)) {
      // The backend cannot tell (scheduler or API unreachable): say so in the server's message,
      // never mark it stopped; the message goes once the backend answers again.
      const message = result.status === 'unknown' ? `${UNKNOWN_PREFIX} ${result.message}` : null;
      if (message !== server.message && result.status !== 'stopped') {
        return (await this.deps.store.servers.update(server.id, { message })) ?? server;
      }
    }
    if (result.status !== 'stopped') return server;
    await this.markDead(user, server, result.message ?? 'The server process exited.', result.stopReason ?? 'died');
    return (await this.deps.store.servers.getById(server.id)) ?? server;
  }

  private async markDead(user: UserRecord, server: ServerRecord, message: string, reason: StopReason = 'died'): Promise<void> {
    this.deps.logger.warn({ user: user.name, server: server.name }, 'server died');
    await this.deps.routes.deleteServerRoute(user.name, server.name);
    await this.credentials.revoke(user, server);
    const now = new Date(this.deps.clock());
    await this.deps.store.transaction(async (tx) => {
      await tx.servers.update(server.id, { state: 'stopped', handle: null, target: null, started: null, stopReason: reason, message });
      await this.deps.ledger?.close(tx, server.id, now, reason);
    });
    await this.auditStop(user, server, now, reason, 'stopped', message);
  }

  /** Polls every active server once: dead ones are marked stopped, `unknown` ones are left alone. */
  async pollAll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const running = (await this.deps.store.servers.listActive()).filter((s) => s.state === 'running' && s.handle && !this.inflight.has(s.id));
      const results = await this.pollGrouped(running);
      for (const server of running) {
        const user = await this.deps.store.users.getById(server.userId);
        const result = results.get(server.id);
        if (!user || !result) continue;
        await this.settle(user, server, result).catch((err: unknown) => this.deps.logger.warn({ err: String(err) }, 'poll failed'));
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * Re-adopts servers after a hub (re)start: running ones are polled (dead ones cleaned up),
   * interrupted starts are resumed if the backend says the server runs, interrupted stops finished.
   */
  async adopt(): Promise<{ adopted: number; lost: number }> {
    let adopted = 0;
    let lost = 0;
    const active = await this.deps.store.servers.listActive();
    const polls = await this.pollGrouped(active);
    for (const server of active) {
      const user = await this.deps.store.users.getById(server.userId);
      if (!user) continue;
      const poll = polls.get(server.id) ?? ({ status: 'unknown', message: 'not polled' } as const);
      if (server.state === 'pending-stop') {
        await this.stop(user, { ...server, state: 'running' }, server.stopReason ?? 'admin');
        continue;
      }
      if (poll.status === 'stopped') {
        lost += 1;
        const why = server.state === 'pending-start' ? 'The hub restarted while the server was starting.' : 'The server stopped while the hub was down.';
        await this.markDead(user, server, poll.message ? `${why} ${poll.message}` : why, poll.stopReason ?? 'died');
        continue;
      }
      if (server.state === 'pending-start' && !server.target) {
        // A start cut short before the backend knew where the server listens (a batch job still
        // queued): this process cannot finish it, so the job is cancelled rather than left behind.
        lost += 1;
        await this.cleanup(user, server, server.handle, 'stopped', 'error', 'The hub restarted while the server was starting; start it again.').catch((e: unknown) =>
          this.deps.logger.warn({ err: String(e), server: server.id }, 'cancelling an interrupted start failed'),
        );
        continue;
      }
      if (server.state === 'pending-start' && poll.status === 'running') {
        await this.deps.store.servers.update(server.id, { state: 'running' });
        await this.deps.routes.addServerRoute(user.name, server.name, server.target as string);
      }
      adopted += 1;
    }
    await this.deps.ledger?.closeStale();
    return { adopted, lost };
  }

  /** Starts the periodic poll (every `pollIntervalSeconds` ±10 %). */
  startPolling(): void {
    const schedule = (): void => {
      const base = this.deps.config.hub.pollIntervalSeconds * 1000;
      this.pollTimer = setTimeout(() => {
        void this.pollAll().finally(schedule);
      }, base * (0.9 + Math.random() * 0.2));
      this.pollTimer.unref();
    };
    schedule();
  }

  /** Stops polling and cancels starts in flight (servers keep running: a restart re-adopts them). */
  async close(): Promise<void> {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    for (const flight of this.inflight.values()) flight.abort.abort(new Error('hub shutting down'));
    await Promise.allSettled([...this.inflight.values()].map((f) => f.done));
  }

  /** Resolves the profile for a start request: explicit slug, else the server's last one, else the default. */
  resolveProfile(slug: string | undefined, lastProfile: string | null): ProfileConfig | null {
    return findProfile(this.deps.config.profiles, slug ?? lastProfile ?? undefined);
  }
}

/** The start of a running server's message while its backend cannot tell its state. */
export const UNKNOWN_PREFIX = 'Status unknown: the backend cannot be reached right now, the server is probably still running.';

/** Abort reason of a start cancelled by {@link ServerLifecycle.stop}: carries the stop's reason. */
class StartCancelled extends Error {
  constructor(readonly stopReason: StopReason) {
    super('stopped while starting');
  }
}

function serverLabel(server: ServerRecord): string {
  return server.name ? `Server ${server.name} (id ${server.id})` : `The default server (id ${server.id})`;
}

function describe(user: UserRecord, server: ServerRecord): string {
  return server.name ? `Server ${user.name}/${server.name}` : `The default server of ${user.name}`;
}
