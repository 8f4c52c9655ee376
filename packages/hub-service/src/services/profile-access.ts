/**
 * Who may use which profile: the one policy every path that starts or changes a server goes through
 * (API starts, PUT and PATCH of servers, the home page's forms, the spawn page, the admin page), and
 * that the profile list and the home page show. Decided by the server owner's groups, as
 * JupyterHub's KubeSpawner decides its profile list by the spawner's user: an admin acting for
 * someone else gets that user's profiles. Admins may use every profile.
 */
import { profileAllowed, type ProfileConfig } from '@clusterhub/shared';
import { HubError } from '../errors';

/** Whether a user may use a profile and, when not, why in a few words (e.g. "needs group cpsHPCAccess"). */
export type ProfileAccess = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** The user facts the policy needs: the name (for messages), the admin flag and the group names. */
export interface ProfileUser {
  readonly name: string;
  readonly admin: boolean;
  readonly groups: readonly string[];
}

/** Decides whether `user` may use `profile`. */
export function profileAccess(profile: ProfileConfig, user: ProfileUser): ProfileAccess {
  if (profileAllowed(profile, user)) return { allowed: true };
  const groups = profile.groups ?? [];
  const reason = groups.length === 1 ? `needs group ${groups[0] ?? ''}` : `needs one of the groups ${groups.join(', ')}`;
  return { allowed: false, reason };
}

/** Throws 403 `profile_forbidden` (naming the user, the profile and the groups it needs) when `user` may not use `profile`. */
export function checkProfileAccess(profile: ProfileConfig, user: ProfileUser): void {
  const access = profileAccess(profile, user);
  if (access.allowed) return;
  throw new HubError('profile_forbidden', `${user.name} may not use profile ${profile.slug}: it ${access.reason}.`, {
    details: { profile: profile.slug, reason: 'group', groups: [...(profile.groups ?? [])] },
  });
}
