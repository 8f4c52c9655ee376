/**
 * The built-in culler's loop: every interval, each running server is judged by {@link decideCull}
 * with the hub's `culler` policy and its profile's `cull` override; servers to cull are stopped
 * through the lifecycle with the stop reason recorded (`idle`, `max-age`), and named servers are
 * removed when `culler.removeNamedServers` is set. Servers it keeps are then judged for GPU idleness
 * by the {@link GpuIdleWatch} when the hub has one (profiles with `cull.gpuIdle`). A server about to
 * be stopped as idle is asked for its kernels first: a busy kernel (a running cell) is activity.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { ServerLifecycle } from '../services/server-lifecycle';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { decideCull } from './decide';
import type { GpuIdleOutcome, GpuIdleWatch } from './gpu-idle-watch';
import type { KernelsVerdict } from './kernel-activity';
import { effectivePolicy } from './policy';

/** Collaborators of {@link BuiltinCuller}. */
export interface BuiltinCullerDeps {
  readonly settings: ResolvedConfig['culler'];
  readonly profiles: readonly ProfileConfig[];
  readonly store: Store;
  readonly lifecycle: Pick<ServerLifecycle, 'stop'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** GPU-idle handling (needs GPU metrics); absent or null: none. */
  readonly gpuIdle?: GpuIdleWatch | null;
  /** Asks a server whether a kernel is busy (a running cell is activity); absent or null: not asked. */
  readonly kernels?: { verdict(user: UserRecord, server: ServerRecord): Promise<KernelsVerdict> } | null;
}

/** One server the culler stopped in a pass. */
export interface CullAction {
  readonly user: string;
  readonly server: string;
  readonly reason: 'idle' | 'max-age' | 'gpu-idle';
  readonly removed: boolean;
  /** For `gpu-idle`: what was done (a warning, a notice or its withdrawal, a stop, a downshift). */
  readonly gpuIdle?: GpuIdleOutcome['kind'];
}

/** Runs culler passes on demand ({@link BuiltinCuller.cullOnce}) and every interval after `start`. */
export class BuiltinCuller {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<CullAction[]> | null = null;

  /** @param deps policy, profiles, store, lifecycle, clock and logger. */
  constructor(private readonly deps: BuiltinCullerDeps) {}

  /** One pass now (a pass in progress is shared): the servers it stopped. */
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

  /** Stops the passes and waits for one in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => undefined);
  }

  private async pass(): Promise<CullAction[]> {
    const { store, lifecycle, settings, logger } = this.deps;
    const now = new Date(this.deps.clock());
    const actions: CullAction[] = [];
    const active = await store.servers.listActive();
    this.deps.gpuIdle?.retain(active.map((server) => server.id));
    for (const server of active) {
      const profile = this.deps.profiles.find((p) => p.slug === server.profile);
      const decision = decideCull(server, now, effectivePolicy(settings, profile?.cull));
      if (decision.action === 'keep') {
        const gpu = await this.checkGpuIdle(server);
        if (gpu) actions.push(gpu);
        continue;
      }
      const user = await store.users.getById(server.userId);
      if (user === null) continue;
      if (decision.reason === 'idle' && (await this.kernelBusy(user, server, now))) continue;
      try {
        await lifecycle.stop(user, server, decision.reason);
        if (decision.remove) await store.servers.delete(server.id);
        actions.push({ user: user.name, server: server.name, reason: decision.reason, removed: decision.remove });
        logger.info({ user: user.name, server: server.name, reason: decision.reason, removed: decision.remove }, 'culled server');
      } catch (err) {
        logger.error({ user: user.name, server: server.name, err: String(err) }, 'culler could not stop server');
      }
    }
    return actions;
  }

  /** Whether a kernel of a server about to be culled as idle is busy; if so, that counts as activity now. */
  private async kernelBusy(user: UserRecord, server: ServerRecord, now: Date): Promise<boolean> {
    const verdict = (await this.deps.kernels?.verdict(user, server)) ?? 'unknown';
    if (verdict !== 'busy') return false;
    await this.deps.store.servers.touchActivity(server.id, now);
    this.deps.logger.info({ user: user.name, server: server.name }, 'culler: a kernel is busy, server kept');
    return true;
  }

  private async checkGpuIdle(server: ServerRecord): Promise<CullAction | null> {
    const watch = this.deps.gpuIdle;
    if (!watch || watch.ruleOf(server) === null) return null;
    const user = await this.deps.store.users.getById(server.userId);
    if (user === null) return null;
    try {
      const outcome = await watch.check(user, server);
      return outcome && { user: outcome.user, server: outcome.server, reason: 'gpu-idle', removed: false, gpuIdle: outcome.kind };
    } catch (err) {
      this.deps.logger.error({ user: user.name, server: server.name, err: String(err) }, 'GPU-idle handling failed');
      return null;
    }
  }
}
