/**
 * The one place that applies what an identity source says about a user (its groups, its admin
 * decision) to the hub's user: at every login (form or provider) and at every group refresh with a
 * provider's refresh token (docs/login.md). `auth.admins` always makes admins; the source's admin
 * decision (its admin groups) comes next; else, with `auth.adminGroups`, membership of those hub
 * groups decides.
 */
import { isValidGroupName } from '@clusterhub/shared';
import type { ResolvedConfig } from '../config/types';
import type { Logger } from '../observability/logger';
import type { Store, UserRecord } from '../store/store';

/** What a source says about a user; absent fields leave the hub's own state as it is. */
export interface SourceIdentity {
  /** The user's groups at the source: the hub's memberships become exactly these (valid names). */
  readonly groups?: readonly string[];
  /** The source's admin decision (its admin groups). */
  readonly admin?: boolean;
}

/** Dependencies of {@link applyIdentity}. */
export interface IdentityUpdateDeps {
  readonly store: Store;
  readonly auth: Pick<ResolvedConfig['auth'], 'admins' | 'adminGroups'>;
  readonly logger: Logger;
}

/** What {@link applyIdentity} did. */
export interface IdentityChange {
  /** The user after the change. */
  readonly user: UserRecord;
  /** The hub groups before and after (sorted); equal when nothing changed. */
  readonly groupsBefore: readonly string[];
  readonly groupsAfter: readonly string[];
  readonly adminBefore: boolean;
  /** True when the groups or the admin flag changed. */
  readonly changed: boolean;
}

/** The admin flag a source's decision gives `username` (`auth.admins` wins); undefined: the source does not decide. */
export function sourceAdmin(auth: IdentityUpdateDeps['auth'], username: string, identity: SourceIdentity): boolean | undefined {
  return auth.admins.includes(username) || identity.admin === true ? true : identity.admin;
}

/** Applies `identity` to `user` (admin flag, groups, hub admin groups); see the module comment. */
export async function applyIdentity(deps: IdentityUpdateDeps, user: UserRecord, identity: SourceIdentity): Promise<IdentityChange> {
  const { store } = deps;
  const groupsBefore = [...(await store.groups.groupNamesOf(user.id))].sort();
  const adminBefore = user.admin;
  const admin = sourceAdmin(deps.auth, user.name, identity);
  let current = user;
  if (admin !== undefined && current.admin !== admin) current = (await store.users.update(current.id, { admin })) ?? current;
  if (identity.groups !== undefined) {
    const groups = identity.groups.filter(isValidGroupName);
    const skipped = identity.groups.filter((g) => !isValidGroupName(g));
    if (skipped.length > 0) deps.logger.warn({ user: current.name, skipped }, 'group names not valid on this hub were left out');
    await store.groups.setUserGroups(current.id, groups);
  }
  const groupsAfter = identity.groups === undefined ? groupsBefore : [...(await store.groups.groupNamesOf(current.id))].sort();
  const adminGroups = deps.auth.adminGroups;
  if (admin === undefined && adminGroups.length > 0) {
    // The hub's own groups decide (local accounts, PAM): admins while they are members.
    const member = groupsAfter.some((g) => adminGroups.includes(g));
    if (current.admin !== member) current = (await store.users.update(current.id, { admin: member })) ?? current;
  }
  const changed = current.admin !== adminBefore || groupsAfter.join('\n') !== groupsBefore.join('\n');
  return { user: current, groupsBefore, groupsAfter, adminBefore, changed };
}
