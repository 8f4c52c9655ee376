import { Router, type Request, type Response } from 'express';
import type { CullWarnings } from '../../culler/warnings';
import type { ServerRecord, UserRecord } from '../../store/store';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireAnyScope, userResource } from './scope-check';

/**
 * The culler's endpoints for the Lab's notification and for scripts (docs/culler.md):
 * - `GET /clusterhub/users/:name/server/culling` (and `…/servers/:server/culling`): the warning in
 *   force (reason, action, when, message, whether a keep-alive helps) and the culler's last action
 *   on the server (`CullingModel`); needs `read:servers` on that server;
 * - `POST /clusterhub/users/:name/server/keep-alive` (and `…/servers/:server/keep-alive`): the user
 *   keeps the server: it counts as activity, the GPU-idle period starts again, an idle or GPU-idle
 *   warning is taken back (a max-age warning stays); needs `servers` or `users:activity` on it (the
 *   owner, admins, the server's own token); 424 `server_not_running` for a server that is not
 *   running; answers the culling model.
 * Another user's server is 404, a token without the scope 403, as the rest of the API; both answer
 * 404 `culler_off` (after the scope check) when the hub has no built-in culler.
 */
export function cullingRouter(ctx: HubContext, warnings: CullWarnings | null): Router {
  const router = Router();

  const target = async (req: Request, scopes: readonly string[]): Promise<{ user: UserRecord; server: ServerRecord | null; warnings: CullWarnings }> => {
    const userName = param(req, 'name');
    const name = param(req, 'server');
    requireAnyScope(req, scopes, await userResource(ctx, userName, name));
    if (!warnings) throw new HubError('culler_off');
    const user = await ctx.users.get(userName);
    return { user, server: await ctx.store.servers.get(user.id, name), warnings };
  };

  const show = asyncHandler(async (req: Request, res: Response) => {
    const { user, server, warnings } = await target(req, ['read:servers']);
    if (!server) throw new HubError('not_found', `${user.name} has no server named ${param(req, 'server')}.`);
    res.json(await warnings.model(user, server));
  });
  const keep = asyncHandler(async (req: Request, res: Response) => {
    const { user, server, warnings } = await target(req, ['servers', 'users:activity']);
    if (!server || server.state !== 'running') throw new HubError('server_not_running');
    await warnings.keepAlive(user, server);
    res.json(await warnings.model(user, (await ctx.store.servers.getById(server.id)) ?? server));
  });
  router.get('/clusterhub/users/:name/server/culling', show);
  router.get('/clusterhub/users/:name/servers/:server/culling', show);
  router.post('/clusterhub/users/:name/server/keep-alive', keep);
  router.post('/clusterhub/users/:name/servers/:server/keep-alive', keep);
  return router;
}
