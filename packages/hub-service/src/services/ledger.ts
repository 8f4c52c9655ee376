import type { ProfileConfig } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Store, UserRecord } from '../store/store';
import { accrued, buildReport, type UsageReport } from './ledger-report';

/**
 * The group a session of `profile` is charged to: the first of the user's groups (sorted by name)
 * that the profile lists; none when the profile is open to everyone or the user is in none of its
 * groups (an admin using it).
 */
export function chargedGroup(profile: ProfileConfig, userGroups: readonly string[]): string | null {
  const allowed = profile.groups ?? [];
  return [...userGroups].sort().find((g) => allowed.includes(g)) ?? null;
}

/** Dependencies of {@link Ledger}. */
export interface LedgerDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/**
 * The compute-unit ledger (docs/budgets.md): a session row per server start, opened in the
 * transaction that records the start and closed in the one that records the stop; accrual is
 * computed from the persisted times when read, so a hub restart never counts twice.
 */
export class Ledger {
  constructor(private readonly deps: LedgerDeps) {}

  /** Opens the session of a start, in the start's transaction `tx`. */
  async open(tx: Store, user: UserRecord, server: { readonly id: number; readonly name: string }, profile: ProfileConfig, at: Date): Promise<void> {
    const groups = await tx.groups.groupNamesOf(user.id);
    await tx.usage.open({
      userId: user.id,
      userName: user.name,
      serverId: server.id,
      serverName: server.name,
      groupName: chargedGroup(profile, groups),
      profile: profile.slug,
      pricePerHour: profile.pricePerHour ?? 0,
      started: at,
    });
  }

  /** Closes a server's open session, in the stop's transaction `tx`. */
  async close(tx: Store, serverId: number, at: Date, reason: string): Promise<void> {
    await tx.usage.closeServer(serverId, at, reason);
  }

  /** Closes sessions whose server is gone or stopped (left open by a crash); run when the hub starts. */
  closeStale(): Promise<number> {
    return this.deps.store.usage.closeStale(new Date(this.deps.clock()), 'hub-restart');
  }

  /** The usage report for `[from, to)`, of one user id or everyone. */
  async report(query: { from: Date; to: Date; userId?: number }): Promise<UsageReport> {
    const sessions = await this.deps.store.usage.list(query);
    return buildReport(sessions, query.from, query.to, new Date(this.deps.clock()));
  }

  /** Compute units spent in `[from, to)` by a user id, or charged to a group (unrounded). */
  async spent(query: { from: Date; to: Date; userId?: number; group?: string }): Promise<number> {
    const sessions = await this.deps.store.usage.list({ from: query.from, to: query.to, userId: query.userId });
    const charged = query.group === undefined ? sessions : sessions.filter((s) => s.groupName === query.group);
    return accrued(charged, query.from, query.to, new Date(this.deps.clock()));
  }
}
