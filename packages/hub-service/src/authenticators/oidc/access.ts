/** Who may log in through the provider and who is an admin, from the user name and groups (`auth.oidc`). */

/** The allow and admin rules of `auth.oidc`. */
export interface AccessRules {
  readonly allowAll: boolean;
  readonly allowedUsers: readonly string[];
  readonly allowedGroups: readonly string[];
  readonly adminGroups: readonly string[];
}

/** Result of {@link decideAccess}. */
export type AccessDecision =
  | {
      readonly allowed: true;
      /** true/false when admin groups are configured (membership decides); absent otherwise. */
      readonly admin?: boolean;
    }
  | { readonly allowed: false; readonly reason: string; readonly message: string };

/**
 * Admin groups make admins and let them in; otherwise the user must be allowed by `allowAll`, by
 * name, or by membership of an allowed group.
 */
export function decideAccess(rules: AccessRules, username: string, groups: readonly string[]): AccessDecision {
  const inAny = (list: readonly string[]): boolean => list.some((g) => groups.includes(g));
  const admin = rules.adminGroups.length > 0 ? inAny(rules.adminGroups) : undefined;
  const allowed = admin === true || rules.allowAll || rules.allowedUsers.includes(username) || inAny(rules.allowedGroups);
  if (allowed) return admin === undefined ? { allowed: true } : { allowed: true, admin };
  const needed = [...rules.allowedGroups, ...rules.adminGroups];
  const has = groups.length === 0 ? 'you are in no group' : `your groups: ${groups.join(', ')}`;
  return {
    allowed: false,
    reason: `not allowed (groups: ${groups.join(', ') || 'none'})`,
    message:
      needed.length > 0
        ? `Your account ${username} is not allowed on this hub: it is open to members of ${needed.join(', ')} (${has}). Ask your administrator for access.`
        : `Your account ${username} is not allowed on this hub. Ask your administrator for access.`,
  };
}
