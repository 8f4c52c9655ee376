import { Router, type Request, type Response } from 'express';
import { isoTimestamp } from '@clusterhub/shared';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireAnyScope, userResource } from './scope-check';
import type { WalltimeService } from '../../services/walltime';

/**
 * `POST /clusterhub/users/:name/server/walltime` (and `…/servers/:server/walltime`): extends a
 * running batch server's time limit by its backend's `walltime.extensionMinutes` (docs/slurm.md).
 * Needs `servers` on that server (its owner, admins). Answers `{ ends_at, extensions_left }`.
 */
export function walltimeRouter(ctx: HubContext, walltime: WalltimeService): Router {
  const router = Router();
  const extend = asyncHandler(async (req: Request, res: Response) => {
    const userName = param(req, 'name');
    const name = param(req, 'server');
    requireAnyScope(req, ['servers'], await userResource(ctx, userName, name));
    const user = await ctx.users.get(userName);
    const server = await ctx.store.servers.get(user.id, name);
    if (!server) throw new HubError('server_not_running', 'The server is not running.');
    const result = await walltime.extend(server);
    res.json({ ends_at: isoTimestamp(result.endsAt), extensions_left: result.extensionsLeft });
  });
  router.post('/clusterhub/users/:name/server/walltime', extend);
  router.post('/clusterhub/users/:name/servers/:server/walltime', extend);
  return router;
}
