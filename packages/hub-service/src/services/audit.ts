import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEventModel } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { AuditActorKind, AuditQuery, AuditRecord } from '../store/audit-repository';
import type { Store } from '../store/store';
import { currentAuditActor } from './audit-context';

/** One day in milliseconds: how often old events are pruned. */
const PRUNE_INTERVAL_MS = 86_400_000;

/** Longest user or server name kept in an event (a failed login can name anything). */
const MAX_NAME_LENGTH = 255;

/** Settings of {@link AuditLog} (`audit` in the config). */
export interface AuditSettings {
  readonly retentionDays: number;
  /** Absolute path of the JSON-lines copy, or null. */
  readonly file: string | null;
}

/** Dependencies of {@link AuditLog}. */
export interface AuditLogDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: AuditSettings;
}

/** What a caller records; the time, and the actor and address unless given, are filled in. */
export interface AuditEvent {
  readonly action: string;
  readonly user?: string | null;
  readonly server?: string | null;
  readonly details?: Record<string, unknown>;
  /** Overrides the actor of the running request (e.g. `anonymous` for a failed login). */
  readonly actor?: { readonly kind: AuditActorKind; readonly name: string | null };
}

/** The JSON of an event, as the API returns it and the file holds it (the shared model). */
export type AuditEventJson = AuditEventModel;

/** The wire form of a stored event. */
export function auditEventJson(e: AuditRecord): AuditEventJson {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: { kind: e.actorKind, name: e.actorName },
    action: e.action,
    user: e.targetUser,
    server: e.targetServer,
    address: e.address,
    details: e.details,
  };
}

/**
 * The audit log (docs/audit.md): the one place events are recorded, in the store and, when
 * `audit.file` is set, as JSON lines. Recording never throws: a failure is logged as an error
 * and the action it describes goes on. Old events are pruned at {@link start} and once a day.
 */
export class AuditLog {
  private timer: NodeJS.Timeout | null = null;
  /** Appends to the file one at a time, in recording order. */
  private fileQueue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AuditLogDeps) {}

  /** Records an event by the running request's caller (or the hub itself outside requests). */
  async record(event: AuditEvent): Promise<void> {
    const context = currentAuditActor();
    const actor = event.actor ?? (context ? { kind: context.kind, name: context.name } : { kind: 'system' as const, name: null });
    try {
      const stored = await this.deps.store.audit.record({
        at: new Date(this.deps.clock()),
        actorKind: actor.kind,
        actorName: clip(actor.name),
        action: event.action,
        targetUser: clip(event.user ?? null),
        targetServer: clip(event.server ?? null),
        address: context?.address ?? null,
        details: event.details ?? {},
      });
      if (this.deps.settings.file !== null) await this.appendLine(this.deps.settings.file, stored);
    } catch (err) {
      this.deps.logger.error({ err: String(err), action: event.action, user: event.user ?? null }, 'audit event could not be recorded');
    }
  }

  /** One page of events, newest first, and the number that matched. */
  list(query: AuditQuery): Promise<{ items: AuditRecord[]; total: number }> {
    return this.deps.store.audit.list(query);
  }

  /** Deletes events older than `audit.retentionDays`; returns how many. */
  async prune(): Promise<number> {
    const before = new Date(this.deps.clock() - this.deps.settings.retentionDays * 86_400_000);
    const removed = await this.deps.store.audit.pruneBefore(before);
    if (removed > 0) this.deps.logger.info({ removed, before: before.toISOString() }, 'pruned old audit events');
    return removed;
  }

  /** Prunes now and then once a day. */
  start(): void {
    const run = (): void => {
      this.prune().catch((err: unknown) => this.deps.logger.error({ err: String(err) }, 'pruning audit events failed'));
    };
    run();
    this.timer = setInterval(run, PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the daily pruning and waits for pending file writes. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.fileQueue;
  }

  private appendLine(file: string, event: AuditRecord): Promise<void> {
    const line = `${JSON.stringify(auditEventJson(event))}\n`;
    const write = this.fileQueue.then(async () => {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await appendFile(file, line, { mode: 0o600 });
    });
    this.fileQueue = write.catch(() => undefined);
    return write;
  }
}

function clip(name: string | null): string | null {
  return name === null ? null : name.slice(0, MAX_NAME_LENGTH);
}
