/**
 * The audit log's persistence port (docs/audit.md), part of the {@link Store}. Kept in its own
 * file: the event shape, the query and the repository.
 */

/** Who did it: a user, a service (API token of a configured service), the hub itself, or nobody known (a failed login). */
export type AuditActorKind = 'user' | 'service' | 'system' | 'anonymous';

/** One recorded event. */
export interface AuditRecord {
  readonly id: number;
  readonly at: Date;
  readonly actorKind: AuditActorKind;
  /** The user's or service's name; null for the hub itself and for anonymous callers. */
  readonly actorName: string | null;
  /** Dotted, lowercase: `login.success`, `server.stop`, `group.members.add`… */
  readonly action: string;
  /** The user the event is about (as named then), or null. */
  readonly targetUser: string | null;
  /** The server the event is about (`""`: the default server), or null. */
  readonly targetServer: string | null;
  /** The client's address for events caused by a request, else null. */
  readonly address: string | null;
  /** Event-specific fields (JSON object); `{}` when none. */
  readonly details: Record<string, unknown>;
}

/** Input of {@link AuditRepository.record}. */
export type AuditInput = Omit<AuditRecord, 'id'>;

/** A filter of {@link AuditRepository.list}. */
export interface AuditQuery {
  /** Events about this user, or done by this user. */
  readonly user?: string;
  /** This action, or any action beneath it (`server` matches `server.start` and `server.stop`). */
  readonly action?: string;
  /** Events at or after this time. */
  readonly since?: Date;
  /** Events before this time. */
  readonly until?: Date;
  readonly offset: number;
  readonly limit: number;
}

/**
 * Audit-event persistence. Rows are never changed, and not deleted with their user; only
 * {@link AuditRepository.pruneBefore} removes them.
 */
export interface AuditRepository {
  /** Appends an event and returns it with its id. */
  record(input: AuditInput): Promise<AuditRecord>;
  /** One page of matching events, newest first (by `at`, then id), and how many matched in all. */
  list(query: AuditQuery): Promise<{ items: AuditRecord[]; total: number }>;
  /** Deletes events older than `before`; returns how many. */
  pruneBefore(before: Date): Promise<number>;
}
