/**
 * The one place for the culler's warnings (docs/culler.md): for each running server, the warning in
 * force per rule family (web: `idle` or `max-age`; gpu: `gpu-idle`; budget: `budget`), when it was given, when the
 * action is due, and the user's last keep-alive; giving a warning, taking it back, the keep-alive,
 * and the report of an action. The server's message shows the warning shown first ({@link shownWarning}: one that
 * leads to an action before a notice, then the one due soonest) (and is cleared
 * when none is left); every warning and action goes to the webhook when one is configured.
 * Warnings are kept in memory for the current start of a server: after a hub restart a server is
 * warned again before any action.
 */
import { isoTimestamp, type CullLastActionModel, type CullingModel, type StopReason } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { warningStale } from './decide';
import type { CullWebhook } from './webhook';

/** Why the culler warns or acts. */
export type CullReason = Extract<StopReason, 'idle' | 'max-age' | 'gpu-idle' | 'budget'>;

/** What happens at the end of a warning (a GPU-idle notice is a warning with the action `notify`). */
export type CullActionKind = 'stop' | 'downshift' | 'notify';

/** A rule family: a server has at most one warning per family. */
export type WarningSlot = 'web' | 'gpu' | 'budget';

/** A warning in force. */
export interface CullWarning {
  readonly reason: CullReason;
  readonly action: CullActionKind;
  /** When it was given (ms). */
  readonly warnedAt: number;
  /** When the action is due if nothing changes (ms). */
  readonly actionAt: number;
  /** What the user is told (the server's message while this warning is shown). */
  readonly message: string;
  /** Whether a keep-alive takes it back (not for `max-age`). */
  readonly keepAlive: boolean;
}

/** The start of every GPU-idle warning or notice. */
export const GPU_IDLE_NOTICE_PREFIX = 'GPU idle:';
/** The start of every web-idle or max-age warning. */
export const STOP_WARNING_PREFIX = 'This server will be stopped at ';
/** The start of the message of a server moved to a cheaper profile (its last action while it runs there). */
export const DOWNSHIFT_MESSAGE_PREFIX = 'Your GPU server was moved to ';

/** The start of the message of a server the budget action moved to a cheaper profile (its last action while it runs there). */
export const BUDGET_DOWNSHIFT_MESSAGE_PREFIX = 'This server was moved to ';

/** The starts of every budget notice and warning (the user's own budget, a group's). */
export const BUDGET_NOTICE_PREFIXES: readonly string[] = ['Your budget is ', 'The budget of group '];

const CULL_REASONS: readonly string[] = ['idle', 'max-age', 'gpu-idle', 'budget'] satisfies readonly CullReason[];

/** The family of a reason. */
export function slotOf(reason: CullReason): WarningSlot {
  if (reason === 'budget') return 'budget';
  return reason === 'gpu-idle' ? 'gpu' : 'web';
}

/** True for a message the culler writes as a warning (left over from before a hub restart, say). */
export function isWarningMessage(message: string | null): boolean {
  if (message === null) return false;
  return [GPU_IDLE_NOTICE_PREFIX, STOP_WARNING_PREFIX, ...BUDGET_NOTICE_PREFIXES].some((prefix) => message.startsWith(prefix));
}

/**
 * The culler's last action on a server, from its record: a server stopped with a culler's stop
 * reason (at the stop, which the record keeps as its last activity), or one running on the
 * profile a downshift moved it to (at its start).
 */
export function lastCullAction(server: ServerRecord): CullLastActionModel | null {
  if (server.state === 'running' && server.started !== null && server.message?.startsWith(DOWNSHIFT_MESSAGE_PREFIX)) {
    return { reason: 'gpu-idle', at: server.started.toISOString(), message: server.message };
  }
  if (server.state === 'running' && server.started !== null && server.message?.startsWith(BUDGET_DOWNSHIFT_MESSAGE_PREFIX)) {
    return { reason: 'budget', at: server.started.toISOString(), message: server.message };
  }
  const reason = server.stopReason;
  if ((server.state === 'stopped' || server.state === 'failed') && reason !== null && CULL_REASONS.includes(reason) && server.lastActivity !== null) {
    return { reason: reason as CullReason, at: server.lastActivity.toISOString(), message: server.message };
  }
  return null;
}

/** When a server was stopped: the time its record keeps (the stop sets its last activity), else `fallback` (ms). */
export function stoppedAt(record: ServerRecord | null, fallback: number): number {
  return record?.lastActivity?.getTime() ?? fallback;
}

/** Collaborators of {@link CullWarnings}. */
export interface CullWarningsDeps {
  readonly store: Pick<Store, 'servers'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where warnings and actions are POSTed; absent or null: nowhere. */
  readonly webhook?: CullWebhook | null;
}

interface Marks {
  /** The start these marks belong to. */
  readonly started: number | null;
  readonly warnings: Map<WarningSlot, CullWarning>;
  keepAliveAt: number | null;
  /** The last message written to the server. */
  written: string | null;
}

/** See the module comment. */
export class CullWarnings {
  private readonly marks = new Map<number, Marks>();

  /** @param deps store, clock, logger and webhook. */
  constructor(private readonly deps: CullWarningsDeps) {}

  private marksOf(server: Pick<ServerRecord, 'id' | 'started'>): Marks {
    const started = server.started?.getTime() ?? null;
    let marks = this.marks.get(server.id);
    if (!marks || marks.started !== started) {
      marks = { started, warnings: new Map(), keepAliveAt: null, written: null };
      this.marks.set(server.id, marks);
    }
    return marks;
  }

  /** Forgets the marks of servers not in `active` (stopped, removed). */
  retain(active: Iterable<number>): void {
    const keep = new Set(active);
    for (const id of [...this.marks.keys()]) if (!keep.has(id)) this.marks.delete(id);
  }

  /** The warning of a family in force for this start of the server, or null. */
  warning(server: Pick<ServerRecord, 'id' | 'started'>, slot: WarningSlot): CullWarning | null {
    return this.marksOf(server).warnings.get(slot) ?? null;
  }

  /** The user's last keep-alive for this start of the server (ms), or null. */
  keepAliveAt(server: Pick<ServerRecord, 'id' | 'started'>): number | null {
    return this.marksOf(server).keepAliveAt;
  }

  /** The warning shown ({@link shownWarning}), or null. */
  current(server: Pick<ServerRecord, 'id' | 'started'>): CullWarning | null {
    return shownWarning(this.marksOf(server).warnings.values());
  }

  /** Gives (or replaces) the warning of its family (`warnedAt`: the time of the decision): the server's message, the log and the webhook. */
  async warn(user: UserRecord, server: ServerRecord, given: CullWarning): Promise<CullWarning> {
    const marks = this.marksOf(server);
    marks.warnings.set(slotOf(given.reason), given);
    await this.sync(server.id, marks);
    const at = new Date(given.actionAt).toISOString();
    this.deps.logger.info({ user: user.name, server: server.name, reason: given.reason, action: given.action, at }, 'culler warning');
    this.deps.webhook?.send({ event: 'warning', reason: given.reason, action: given.action, user: user.name, server: server.name, profile: server.profile, action_at: at, message: given.message });
    return given;
  }

  /** Takes back the warning of a family (and a left-over warning message when none is in force). */
  async takeBack(server: ServerRecord, slot: WarningSlot): Promise<void> {
    const marks = this.marksOf(server);
    marks.warnings.delete(slot);
    await this.sync(server.id, marks);
  }

  /** Clears a warning message left from before a hub restart when no warning is in force (a cheap check first). */
  async tidy(server: ServerRecord): Promise<void> {
    const marks = this.marksOf(server);
    if (marks.warnings.size === 0 && isWarningMessage(server.message)) await this.sync(server.id, marks);
  }

  /**
   * The user keeps the server: it counts as activity now (the web-idle clock starts again), the
   * GPU-idle period starts again, and every warning a keep-alive can take back goes.
   */
  async keepAlive(user: UserRecord, server: ServerRecord): Promise<void> {
    const now = this.deps.clock();
    const marks = this.marksOf(server);
    marks.keepAliveAt = now;
    await this.deps.store.servers.touchActivity(server.id, new Date(now));
    for (const [slot, warning] of [...marks.warnings]) if (warning.keepAlive) marks.warnings.delete(slot);
    await this.sync(server.id, marks);
    this.deps.logger.info({ user: user.name, server: server.name }, 'culler keep-alive');
  }

  /**
   * Reports an action done at `done.at` (ms; the time the record keeps, see {@link lastCullAction})
   * after the caller wrote the server's message: forgets the marks, tells the webhook.
   */
  acted(user: UserRecord, server: ServerRecord, done: { reason: CullReason; action: CullActionKind; message: string; at: number }): void {
    this.marks.delete(server.id);
    const at = new Date(done.at).toISOString();
    this.deps.webhook?.send({ event: 'action', reason: done.reason, action: done.action, user: user.name, server: server.name, profile: server.profile, at, message: done.message });
  }

  /** The culling model of a server; an idle warning that activity has overtaken is taken back first. */
  async model(user: UserRecord, server: ServerRecord): Promise<CullingModel> {
    let record = server;
    let warning: CullWarning | null = null;
    if (server.state === 'running') {
      const web = this.warning(server, 'web');
      if (web !== null && warningStale(web, server)) {
        await this.takeBack(server, 'web');
        record = (await this.deps.store.servers.getById(server.id)) ?? server;
      }
      warning = this.current(server);
    }
    return {
      user: user.name,
      server: server.name,
      warning: warning && {
        reason: warning.reason,
        action: warning.action,
        action_at: isoTimestamp(new Date(warning.actionAt)) ?? '',
        message: warning.message,
        keep_alive: warning.keepAlive,
      },
      last_action: lastCullAction(record),
    };
  }

  /** Waits for webhook deliveries under way. */
  async settled(): Promise<void> {
    await this.deps.webhook?.settled();
  }

  /** Shows the warning shown first in the server's message, or clears the culler's message when none is left. */
  private async sync(serverId: number, marks: Marks): Promise<void> {
    const record = await this.deps.store.servers.getById(serverId);
    if (record === null) return;
    const desired = shownWarning(marks.warnings.values())?.message ?? null;
    if (desired !== null) {
      if (record.message !== desired) await this.deps.store.servers.update(serverId, { message: desired });
    } else if (record.message !== null && (record.message === marks.written || isWarningMessage(record.message))) {
      await this.deps.store.servers.update(serverId, { message: null });
    }
    marks.written = desired;
  }
}

/**
 * The warning a server shows among those in force: one that leads to an action (stop, downshift)
 * before a notice (`notify`, whose time is already past: it must not hide a coming stop and its
 * Keep alive), then the one due soonest; null when none.
 */
export function shownWarning(warnings: Iterable<CullWarning>): CullWarning | null {
  const rank = (w: CullWarning): number => (w.action === 'notify' ? 1 : 0);
  let best: CullWarning | null = null;
  for (const warning of warnings) {
    if (best === null || rank(warning) < rank(best) || (rank(warning) === rank(best) && warning.actionAt < best.actionAt)) best = warning;
  }
  return best;
}
