/**
 * GPU-idle handling of running servers (docs/culler.md): at each culler pass, every running server
 * whose profile has a `cull.gpuIdle` rule is judged by {@link decideGpuIdle} on its GPU readings;
 * warnings and notices go into the server's message (the Lab and the home page show it), the
 * action (stop with reason `gpu-idle`, or downshift: stop and start again on the cheaper profile)
 * goes through the server lifecycle. A keep-alive from the user restarts the idle clock.
 * Warnings, notices and keep-alives are held by the culler's {@link CullWarnings} (the same place
 * as the web-idle and max-age warnings): after a hub restart a server is warned again before any
 * action.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { ServerLifecycle } from '../services/server-lifecycle';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { actionDueAt, decideGpuIdle, gpuIdleRule, idleClockStart, type GpuIdleRule } from './gpu-idle';
import { DOWNSHIFT_MESSAGE_PREFIX, GPU_IDLE_NOTICE_PREFIX, stoppedAt, type CullWarning, type CullWarnings } from './warnings';
import { clockTime, duration } from './wording';

/** Where GPU idleness comes from (the GPU monitor). */
export interface GpuIdleSource {
  /** Start (ms) of the server's current uninterrupted GPU-idle run; null when busy or not known. */
  idleSince(ref: { user: string; server: string; profile: string | null; state: string; started: Date | null }): number | null;
}

/** Collaborators of {@link GpuIdleWatch}. */
export interface GpuIdleWatchDeps {
  readonly profiles: readonly ProfileConfig[];
  readonly store: Pick<Store, 'servers'>;
  readonly lifecycle: Pick<ServerLifecycle, 'stop' | 'start'>;
  readonly source: GpuIdleSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where warnings, notices and keep-alives are kept (shared with the web-idle and max-age rules). */
  readonly warnings: CullWarnings;
}

/** What a pass did to one server. */
export interface GpuIdleOutcome {
  readonly kind: 'notify' | 'warn' | 'clear' | 'stop' | 'downshift';
  readonly user: string;
  readonly server: string;
}

/** A server's GPU-idle state as the API shows it. */
export interface GpuIdleStatus {
  /** The profile's rule, or null when it has none. */
  readonly rule: GpuIdleRule | null;
  /** Start of the current GPU-idle run, or null. */
  readonly idleSince: Date | null;
  /** The last keep-alive of this start, or null. */
  readonly keptAliveAt: Date | null;
  /** When the server was warned of the coming action (or notified), or null. */
  readonly warnedAt: Date | null;
  /** When the action (or the notice) is due if nothing changes; null when not GPU-idle. */
  readonly actionAt: Date | null;
}

/** See the module comment. */
export class GpuIdleWatch {
  /** @param deps profiles, store, lifecycle, GPU idleness source, clock and logger. */
  constructor(private readonly deps: GpuIdleWatchDeps) {}

  /** The profile of a server, or undefined. */
  private profileOf(slug: string | null): ProfileConfig | undefined {
    return this.deps.profiles.find((p) => p.slug === slug);
  }

  /** The GPU-idle rule of a server's profile, or null. */
  ruleOf(server: Pick<ServerRecord, 'profile'>): GpuIdleRule | null {
    return gpuIdleRule(this.profileOf(server.profile)?.cull?.gpuIdle);
  }

  private idleSince(user: UserRecord, server: ServerRecord): number | null {
    return this.deps.source.idleSince({ user: user.name, server: server.name, profile: server.profile, state: server.state, started: server.started });
  }

  /** The GPU-idle warning (or notice) in force and the last keep-alive of this start (ms). */
  private marksOf(server: ServerRecord): { warnedAt: number | null; notifiedAt: number | null; keepAliveAt: number | null } {
    const warnings = this.deps.warnings;
    const given: CullWarning | null = warnings.warning(server, 'gpu');
    return {
      warnedAt: given !== null && given.action !== 'notify' ? given.warnedAt : null,
      notifiedAt: given !== null && given.action === 'notify' ? given.warnedAt : null,
      keepAliveAt: warnings.keepAliveAt(server),
    };
  }

  /** A server's GPU-idle state now. */
  status(user: UserRecord, server: ServerRecord): GpuIdleStatus {
    const rule = this.ruleOf(server);
    const running = server.state === 'running';
    const marks = running ? this.marksOf(server) : null;
    const idleSince = running && rule ? this.idleSince(user, server) : null;
    const start = idleClockStart({ idleSince, keepAliveAt: marks?.keepAliveAt ?? null });
    const told = rule?.action === 'notify' ? (marks?.notifiedAt ?? null) : (marks?.warnedAt ?? null);
    const warnedAt = start !== null && told !== null && told >= start ? told : null;
    let actionAt: number | null = null;
    if (rule && start !== null) actionAt = rule.action === 'notify' ? start + rule.periodMs : actionDueAt(rule, start, warnedAt);
    const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
    return { rule, idleSince: date(idleSince), keptAliveAt: date(marks?.keepAliveAt ?? null), warnedAt: date(warnedAt), actionAt: date(actionAt) };
  }

  /** Judges one running server (a culler pass calls this for servers it keeps); what it did, or null. */
  async check(user: UserRecord, server: ServerRecord): Promise<GpuIdleOutcome | null> {
    const rule = this.ruleOf(server);
    if (!rule || server.state !== 'running') return null;
    const marks = this.marksOf(server);
    const now = this.deps.clock();
    const decision = decideGpuIdle(rule, { idleSince: this.idleSince(user, server), keepAliveAt: marks.keepAliveAt, warnedAt: marks.warnedAt, notifiedAt: marks.notifiedAt, now });
    const outcome = (kind: GpuIdleOutcome['kind']): GpuIdleOutcome => ({ kind, user: user.name, server: server.name });
    switch (decision.kind) {
      case 'none':
        return null;
      case 'clear':
        await this.deps.warnings.takeBack(server, 'gpu');
        return outcome('clear');
      case 'notify':
        await this.deps.warnings.warn(user, server, {
          reason: 'gpu-idle',
          action: 'notify',
          warnedAt: now,
          actionAt: decision.idleSince + rule.periodMs,
          keepAlive: true,
          message: `${GPU_IDLE_NOTICE_PREFIX} this server has held its GPU without using it since ${clockTime(decision.idleSince)} (${duration(now - decision.idleSince)}). Stop it when you are done, so that others can use the GPU.`,
        });
        return outcome('notify');
      case 'warn': {
        const what = decision.action === 'stop' ? 'stopped' : `moved to ${this.targetName(rule)} (your files stay as they are)`;
        await this.deps.warnings.warn(user, server, {
          reason: 'gpu-idle',
          action: decision.action,
          warnedAt: now,
          actionAt: decision.actionAt,
          keepAlive: true,
          message: `${GPU_IDLE_NOTICE_PREFIX} this server has not used its GPU since ${clockTime(decision.idleSince)}. It will be ${what} at ${clockTime(decision.actionAt)} (in ${duration(decision.actionAt - now)}) unless the GPU is used again or you keep it.`,
        });
        return outcome('warn');
      }
      case 'act':
        return decision.action === 'stop' ? this.stop(user, server, now - decision.idleSince) : this.downshift(user, server, rule, now - decision.idleSince);
    }
  }

  private targetName(rule: GpuIdleRule): string {
    return this.profileOf(rule.downshiftTo)?.displayName ?? String(rule.downshiftTo);
  }

  private async stop(user: UserRecord, server: ServerRecord, idleMs: number): Promise<GpuIdleOutcome> {
    await this.deps.lifecycle.stop(user, server, 'gpu-idle');
    const at = stoppedAt(await this.deps.store.servers.getById(server.id), this.deps.clock());
    const message = `This server was stopped at ${clockTime(at)} after ${duration(idleMs)} without GPU use.`;
    await this.deps.store.servers.update(server.id, { message });
    this.deps.warnings.acted(user, server, { reason: 'gpu-idle', action: 'stop', message, at });
    this.deps.logger.info({ user: user.name, server: server.name, reason: 'gpu-idle' }, 'stopped GPU-idle server');
    return { kind: 'stop', user: user.name, server: server.name };
  }

  private async downshift(user: UserRecord, server: ServerRecord, rule: GpuIdleRule, idleMs: number): Promise<GpuIdleOutcome> {
    const target = this.profileOf(rule.downshiftTo);
    await this.deps.lifecycle.stop(user, server, 'gpu-idle');
    const at = clockTime(this.deps.clock());
    const stopped = (await this.deps.store.servers.getById(server.id)) ?? server;
    try {
      if (!target) throw new Error(`no profile ${String(rule.downshiftTo)}`);
      const start = await this.deps.lifecycle.start(user, stopped, { profile: target, userOptions: {}, keepChargeGroup: true });
      await start.done;
      const restarted = await this.deps.store.servers.getById(server.id);
      const message = `${DOWNSHIFT_MESSAGE_PREFIX}${target.displayName} at ${at} after ${duration(idleMs)} without GPU use; your files are as you left them.`;
      await this.deps.store.servers.update(server.id, { message });
      // The last action as the record keeps it: at the restart (see lastCullAction).
      this.deps.warnings.acted(user, server, { reason: 'gpu-idle', action: 'downshift', message, at: restarted?.started?.getTime() ?? this.deps.clock() });
      this.deps.logger.info({ user: user.name, server: server.name, profile: target.slug }, 'downshifted GPU-idle server');
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      // The record keeps why it stopped (its last action), whatever the failed start wrote.
      const message = `Your GPU server was stopped at ${at} after ${duration(idleMs)} without GPU use; starting it on ${this.targetName(rule)} failed: ${why}`;
      await this.deps.store.servers.update(server.id, { stopReason: 'gpu-idle', message });
      this.deps.warnings.acted(user, server, { reason: 'gpu-idle', action: 'downshift', message, at: stoppedAt(await this.deps.store.servers.getById(server.id), this.deps.clock()) });
      this.deps.logger.error({ user: user.name, server: server.name, err: why }, 'GPU-idle downshift: the restart failed');
    }
    return { kind: 'downshift', user: user.name, server: server.name };
  }
}
