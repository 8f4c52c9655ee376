import type { ProfileConfig } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Store, UsageRecord, UserRecord } from '../store/store';
import { HubError } from '../errors';
import { accrued, buildReport, type UsageReport } from './ledger-report';

/**
 * The groups a session of `profile` may be charged to: the user's groups that the profile lists,
 * sorted by name. Empty when the profile is open to everyone or the user is in none of its groups
 * (an admin using it).
 */
export function chargeGroups(profile: ProfileConfig, userGroups: readonly string[]): string[] {
  const allowed = profile.groups ?? [];
  return [...new Set(userGroups)].filter((g) => allowed.includes(g)).sort();
}

/**
 * The group a start asks to be charged to. `required`: the user's choice (`charge_group`), refused
 * when not allowed; otherwise a preference (a choice stored with the server, the session's group
 * when a running server moves to another profile), kept when allowed, else the default rule.
 */
export interface ChargeGroupChoice {
  readonly group: string;
  readonly required: boolean;
}

/**
 * The group a session of `profile` is charged to: the chosen group when it is one of
 * {@link chargeGroups}, else (no choice, or a preference not allowed) the first of them by name;
 * null when there is none.
 * @throws HubError `invalid_charge_group` (400) when a required choice is not one of them.
 */
export function chargedGroup(profile: ProfileConfig, userGroups: readonly string[], choice?: ChargeGroupChoice | null): string | null {
  const allowed = chargeGroups(profile, userGroups);
  if (choice && allowed.includes(choice.group)) return choice.group;
  if (choice?.required) {
    const which = allowed.length === 0 ? 'none of your groups' : `one of ${allowed.join(', ')}`;
    throw new HubError('invalid_charge_group', `Cannot charge group ${JSON.stringify(choice.group)} for profile ${profile.slug}: choose ${which}.`, {
      details: { charge_group: choice.group, profile: profile.slug, allowed },
    });
  }
  return allowed[0] ?? null;
}

/** The `user_options` key naming the group to charge (beside `profile`). */
export const CHARGE_GROUP_OPTION = 'charge_group';

/**
 * The `charge_group` of a start's `user_options`: null when absent (or null).
 * @throws HubError `invalid_charge_group` when it is not a non-empty string.
 */
export function chargeGroupOption(userOptions: Readonly<Record<string, unknown>>): string | null {
  const value = userOptions[CHARGE_GROUP_OPTION];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') {
    throw new HubError('invalid_charge_group', 'Invalid user_options.charge_group: must be the name of one of your groups.', { details: { charge_group: value } });
  }
  return value;
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

  /** Opens the session of a start charged to `group` (see {@link chargedGroup}), in the start's transaction `tx`. */
  async open(tx: Store, user: UserRecord, server: { readonly id: number; readonly name: string }, profile: ProfileConfig, at: Date, group: string | null): Promise<void> {
    await tx.usage.open({
      userId: user.id,
      userName: user.name,
      serverId: server.id,
      serverName: server.name,
      groupName: group,
      profile: profile.slug,
      pricePerHour: profile.pricePerHour ?? 0,
      started: at,
    });
  }

  /** The server's most recent session (the open one while it runs), or null when it has none. */
  lastSession(serverId: number): Promise<UsageRecord | null> {
    return this.deps.store.usage.lastOfServer(serverId);
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
