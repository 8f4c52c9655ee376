import type { Request } from 'express';
import { holdsScopeBase, type ScopeResource } from '@clusterhub/shared';
import type { Identity } from '../../services/identity';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { allows, requireIdentity } from '../auth-guard';

/**
 * The scope resource of user `name` (and one of its servers), with the user's groups so that
 * `!group=` filters apply as JupyterHub applies them. A missing user has no groups.
 */
export async function userResource(ctx: HubContext, name: string, server?: string): Promise<ScopeResource> {
  const user = await ctx.store.users.getByName(name);
  const userGroups = user ? await ctx.store.groups.groupNamesOf(user.id) : [];
  return server === undefined ? { user: name, userGroups } : { user: name, server, userGroups };
}

/**
 * JupyterHub's `needs_scope(a, b, …)` on a resource: allowed when any of `scopes` is held for
 * it; otherwise 404 `not_found` when any of them is held with some filter (the same answer as for
 * a resource that does not exist), 403 `forbidden` when none is held at all.
 */
export function requireAnyScope(req: Request, scopes: readonly string[], resource: ScopeResource): Identity {
  const identity = requireIdentity(req);
  if (scopes.some((scope) => allows(identity, scope, resource))) return identity;
  if (scopes.some((scope) => holdsScopeBase(identity.scopes, scope))) throw new HubError('not_found');
  throw new HubError('forbidden', `Action is not authorized with current scopes; requires any of [${scopes.join(', ')}].`);
}
