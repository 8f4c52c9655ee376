/**
 * The built-in culler's loop: every interval, each running server is judged by {@link decideCull}
 * with the hub's `culler` policy, its profile's `cull` override and the warning in force. Never
 * without warning: a server coming due for a web-idle or max-age stop is warned first (the
 * server's message, the culling API, the webhook, all through {@link CullWarnings}); activity or a
 * keep-alive takes an idle warning back; at the warning's time the server is stopped through the
 * lifecycle with the stop reason recorded (`idle`, `max-age`) and a message saying why, and named
 * servers are removed when `culler.removeNamedServers` is set. Servers it does not stop are then
 * judged for GPU idleness by the {@link GpuIdleWatch} when the hub has one (profiles with
 * `cull.gpuIdle`), and for their budgets by the {@link BudgetWatch} (`budgets.warnAtPercent`).
 * A server about to be warned or stopped as idle is asked for its kernels first: a busy kernel (a
 * running cell) is activity.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { ServerLifecycle } from '../services/server-lifecycle';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { decideCull, type CullDecision, type WebCullReason } from './decide';
import type { GpuIdleOutcome, GpuIdleWatch } from './gpu-idle-watch';
import type { BudgetWatch } from './budget-watch';
import type { KernelsVerdict } from './kernel-activity';
import { effectivePolicy } from './policy';
import { STOP_WARNING_PREFIX, stoppedAt, type CullReason, type CullWarnings } from './warnings';
import { clockTime, duration } from './wording';

/** Collaborators of {@link BuiltinCuller}. */
export interface BuiltinCullerDeps {
  readonly settings: ResolvedConfig['culler'];
  readonly profiles: readonly ProfileConfig[];
  readonly store: Store;
  readonly lifecycle: Pick<ServerLifecycle, 'stop'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The warnings in force (shared with the GPU-idle watch, the culling API and the keep-alive). */
  readonly warnings: CullWarnings;
  /** GPU-idle handling (needs GPU metrics); absent or null: none. */
  readonly gpuIdle?: GpuIdleWatch | null;
  /** Asks a server whether a kernel is busy (a running cell is activity); absent or null: not asked. */
  readonly kernels?: { verdict(user: UserRecord, server: ServerRecord): Promise<KernelsVerdict> } | null;
  /** Budget notices on running servers; absent or null: none. */
  readonly budget?: BudgetWatch | null;
}

/** What a pass did to one server. */
export interface CullAction {
  readonly user: string;
  readonly server: string;
  readonly reason: CullReason;
  /** A warning (or GPU-idle notice) given or taken back, or the action itself. */
  readonly kind: 'warn' | 'clear' | GpuIdleOutcome['kind'];
  /** True when a stopped named server was also removed. */
  readonly removed: boolean;
}

/** Runs culler passes on demand ({@link BuiltinCuller.cullOnce}) and every interval after `start`. */
export class BuiltinCuller {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<CullAction[]> | null = null;

  /** @param deps policy, profiles, store, lifecycle, clock, logger, warnings, GPU-idle watch and kernel probe. */
  constructor(private readonly deps: BuiltinCullerDeps) {}

  /** One pass now (a pass in progress is shared): what it did. */
  cullOnce(): Promise<CullAction[]> {
    this.current ??= this.pass().finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /** Schedules passes every `intervalSeconds` (the first after one interval). */
  start(): void {
    if (this.timer !== null) return;
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void this.cullOnce()
          .catch((err: unknown) => this.deps.logger.error({ err: String(err) }, 'culler pass failed'))
          .finally(() => {
            if (this.timer !== null) tick();
          });
      }, this.deps.settings.intervalSeconds * 1000);
      this.timer.unref();
    };
    tick();
  }

  /** Stops the passes and waits for one in progress and for the webhook deliveries under way. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
    await this.deps.warnings.settled();
  }

  private async pass(): Promise<CullAction[]> {
    const { store, settings, warnings } = this.deps;
    const now = new Date(this.deps.clock());
    const actions: CullAction[] = [];
    const active = await store.servers.listActive();
    warnings.retain(active.map((server) => server.id));
    this.deps.budget?.retain(active.map((server) => server.id));
    for (const server of active) {
      if (server.state !== 'running') continue;
      const user = await store.users.getById(server.userId);
      if (user === null) continue;
      try {
        await warnings.tidy(server);
        const profile = this.deps.profiles.find((p) => p.slug === server.profile);
        const given = warnings.warning(server, 'web');
        const web = given === null ? null : { reason: given.reason as WebCullReason, warnedAt: given.warnedAt, actionAt: given.actionAt };
        let decision = decideCull(server, now, effectivePolicy(settings, profile?.cull), web);
        if ((decision.action === 'warn' || decision.action === 'stop') && decision.reason === 'idle' && (await this.kernelBusy(user, server, now))) {
          decision = web === null ? { action: 'keep' } : { action: 'clear' };
        }
        const done = await this.apply(user, server, decision, now.getTime());
        if (done) actions.push(done);
        if (done?.kind === 'stop') continue;
        const gpu = await this.checkGpuIdle(user, server);
        if (gpu) actions.push(gpu);
        if (gpu?.kind === 'stop' || gpu?.kind === 'downshift') continue;
        const budget = await this.checkBudget(user, server);
        if (budget) actions.push(budget);
      } catch (err) {
        this.deps.logger.error({ user: user.name, server: server.name, err: String(err) }, 'culler could not handle server');
      }
    }
    return actions;
  }

  /** Carries out a web-rule decision; what was done, or null. */
  private async apply(user: UserRecord, server: ServerRecord, decision: CullDecision, now: number): Promise<CullAction | null> {
    const { warnings, store, logger } = this.deps;
    const action = (reason: CullReason, kind: CullAction['kind'], removed = false): CullAction => ({ user: user.name, server: server.name, reason, kind, removed });
    switch (decision.action) {
      case 'keep':
        return null;
      case 'clear': {
        const reason = warnings.warning(server, 'web')?.reason ?? 'idle';
        await warnings.takeBack(server, 'web');
        return action(reason, 'clear');
      }
      case 'warn':
        await warnings.warn(user, server, {
          reason: decision.reason,
          action: 'stop',
          warnedAt: now,
          actionAt: decision.actionAt,
          keepAlive: decision.reason === 'idle',
          message: warningMessage(decision.reason, decision.since, decision.actionAt),
        });
        return action(decision.reason, 'warn');
      case 'stop': {
        const since = decision.reason === 'idle' ? (server.lastActivity ?? server.started) : server.started;
        await this.deps.lifecycle.stop(user, server, decision.reason);
        const at = stoppedAt(await store.servers.getById(server.id), this.deps.clock());
        const message = stopMessage(decision.reason, at, since === null ? null : at - since.getTime());
        if (decision.remove) await store.servers.delete(server.id);
        else await store.servers.update(server.id, { message });
        warnings.acted(user, server, { reason: decision.reason, action: 'stop', message, at });
        logger.info({ user: user.name, server: server.name, reason: decision.reason, removed: decision.remove }, 'culled server');
        return action(decision.reason, 'stop', decision.remove);
      }
    }
  }

  /** Whether a kernel of a server about to be warned or stopped as idle is busy; if so, that counts as activity now. */
  private async kernelBusy(user: UserRecord, server: ServerRecord, now: Date): Promise<boolean> {
    const verdict = (await this.deps.kernels?.verdict(user, server)) ?? 'unknown';
    if (verdict !== 'busy') return false;
    await this.deps.store.servers.touchActivity(server.id, now);
    this.deps.logger.info({ user: user.name, server: server.name }, 'culler: a kernel is busy, server kept');
    return true;
  }

  private async checkBudget(user: UserRecord, server: ServerRecord): Promise<CullAction | null> {
    const watch = this.deps.budget;
    if (!watch) return null;
    const current = (await this.deps.store.servers.getById(server.id)) ?? server;
    const outcome = await watch.check(user, current);
    return outcome && { user: outcome.user, server: outcome.server, reason: 'budget', kind: outcome.kind, removed: false };
  }

  private async checkGpuIdle(user: UserRecord, server: ServerRecord): Promise<CullAction | null> {
    const watch = this.deps.gpuIdle;
    if (!watch || watch.ruleOf(server) === null) return null;
    const current = (await this.deps.store.servers.getById(server.id)) ?? server;
    if (current.state !== 'running') return null;
    const outcome = await watch.check(user, current);
    return outcome && { user: outcome.user, server: outcome.server, reason: 'gpu-idle', kind: outcome.kind, removed: false };
  }
}

/** "This server will be stopped at 14:20 UTC after 60 minutes without activity. …" */
export function warningMessage(reason: WebCullReason, since: number, actionAt: number): string {
  const at = `${STOP_WARNING_PREFIX}${clockTime(actionAt)}`;
  if (reason === 'idle') return `${at} after ${duration(actionAt - since)} without activity. Use it or press Keep alive.`;
  return `${at}: it then reaches its maximum age of ${duration(actionAt - since)}. It cannot be kept alive; save your work before then.`;
}

/** "This server was stopped at 14:20 UTC after 60 minutes without activity." */
export function stopMessage(reason: WebCullReason, at: number, forMs: number | null): string {
  const when = `This server was stopped at ${clockTime(at)}`;
  if (reason === 'idle') return forMs === null ? `${when} because it was idle.` : `${when} after ${duration(forMs)} without activity.`;
  return forMs === null ? `${when}: it reached its maximum age.` : `${when}: it reached its maximum age (it ran for ${duration(forMs)}).`;
}
