/**
 * The built-in culler's loop: every interval, each running server is judged by {@link decideCull}
 * with the hub's `culler` policy and its profile's `cull` override; servers to cull are stopped
 * through the lifecycle with the stop reason recorded (`idle`, `max-age`), and named servers are
 * removed when `culler.removeNamedServers` is set.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { ServerLifecycle } from '../services/server-lifecycle';
import type { Store } from '../store/store';
import { decideCull } from './decide';
import { effectivePolicy } from './policy';

/** Collaborators of {@link BuiltinCuller}. */
export interface BuiltinCullerDeps {
  readonly settings: ResolvedConfig['culler'];
  readonly profiles: readonly ProfileConfig[];
  readonly store: Store;
  readonly lifecycle: Pick<ServerLifecycle, 'stop'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** One server the culler stopped in a pass. */
export interface CullAction {
  readonly user: string;
  readonly server: string;
  readonly reason: 'idle' | 'max-age';
  readonly removed: boolean;
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
    for (const server of await store.servers.listActive()) {
      const profile = this.deps.profiles.find((p) => p.slug === server.profile);
      const decision = decideCull(server, now, effectivePolicy(settings, profile?.cull));
      if (decision.action === 'keep') continue;
      const user = await store.users.getById(server.userId);
      if (user === null) continue;
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
}
