import { Router } from 'express';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { allows } from '../auth-guard';
import { encodeSegment } from '../pages/html';
import { renderServerLog } from '../pages/server-log';
import { pageUser } from './servers.routes';

/** Lines the server-log page shows at most. */
export const SERVER_LOG_LINES = 200;

/**
 * `{hub}logs/<user>[/<server>]`: the tail of a server's own log (Spawner.logTail), linked from the
 * spawn-pending page. Only the owner (with `read:servers`) and admins (`admin:servers`) may read it:
 * a log can show the server's URL with its token.
 */
export function serverLogRouter(ctx: HubContext): Router {
  const router = Router();

  router.get(
    ['/logs/:user', '/logs/:user/:server'],
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer) return;
      const serverName = param(req, 'server');
      const user = await ctx.users.get(param(req, 'user'));
      const resource = { user: user.name, server: serverName, userGroups: [] };
      const mayRead = viewer.name === user.name && viewer.kind === 'user' ? allows(viewer, 'read:servers', resource) : allows(viewer, 'admin:servers', resource);
      if (!mayRead) throw new HubError('forbidden', `You may not read the log of ${user.name}'s server.`);
      const server = await ctx.store.servers.get(user.id, serverName);
      if (!server && serverName !== '') throw new HubError('not_found', `${user.name} has no server named ${serverName}.`);
      const tail = await ctx.lifecycle.logTail({ user: user.name, server: serverName, handle: server?.handle ?? null, backend: server?.backend ?? null }, SERVER_LOG_LINES);
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(
        renderServerLog({
          baseHubUrl: ctx.hubPrefix,
          user: { name: viewer.name, admin: viewer.user?.admin },
          owner: user.name,
          serverName,
          tail,
          maxLines: SERVER_LOG_LINES,
          selfUrl: `${ctx.hubPrefix}logs/${encodeSegment(user.name)}${serverName === '' ? '' : `/${encodeSegment(serverName)}`}`,
        }),
      );
    }),
  );

  return router;
}
