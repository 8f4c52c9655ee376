import { Router, type Request, type Response } from 'express';
import { isoTimestamp } from '@clusterhub/shared';
import type { GpuIdleStatus, GpuIdleWatch } from '../../culler/gpu-idle-watch';
import type { ServerRecord, UserRecord } from '../../store/store';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireAnyScope, userResource } from './scope-check';

/** A server's GPU-idle state as JSON (snake_case, as the rest of the REST API). */
function statusJson(user: UserRecord, server: ServerRecord, status: GpuIdleStatus): Record<string, unknown> {
  const rule = status.rule;
  return {
    user: user.name,
    server: server.name,
    profile: server.profile,
    rule: rule && { action: rule.action, period_seconds: rule.periodMs / 1000, warning_seconds: rule.warningMs / 1000, downshift_to: rule.downshiftTo },
    idle_since: isoTimestamp(status.idleSince),
    kept_alive_at: isoTimestamp(status.keptAliveAt),
    warned_at: isoTimestamp(status.warnedAt),
    action_at: isoTimestamp(status.actionAt),
  };
}

/**
 * The GPU-idle endpoint (docs/culler.md), for scripts and admins: `GET
 * /clusterhub/users/:name/server/gpu-idle` (and `…/servers/:server/gpu-idle`): the rule of the
 * server's profile, since when its GPU is idle, and when the action is due; needs `read:servers`
 * on that server; 404 `gpu_idle_off` when the hub does no GPU-idle handling (culler or GPU
 * metrics off). The keep-alive and the warning in force are the culler's (culling.routes.ts).
 */
export function gpuIdleRouter(ctx: HubContext, watch: GpuIdleWatch | null): Router {
  const router = Router();

  const target = async (req: Request, scopes: readonly string[]): Promise<{ user: UserRecord; server: ServerRecord | null; watch: GpuIdleWatch }> => {
    const userName = param(req, 'name');
    const name = param(req, 'server');
    requireAnyScope(req, scopes, await userResource(ctx, userName, name));
    if (!watch) throw new HubError('gpu_idle_off');
    const user = await ctx.users.get(userName);
    return { user, server: await ctx.store.servers.get(user.id, name), watch };
  };

  const show = asyncHandler(async (req: Request, res: Response) => {
    const { user, server, watch } = await target(req, ['read:servers']);
    if (!server) throw new HubError('not_found', `${user.name} has no server named ${param(req, 'server')}.`);
    res.json(statusJson(user, server, watch.status(user, server)));
  });
  router.get('/clusterhub/users/:name/server/gpu-idle', show);
  router.get('/clusterhub/users/:name/servers/:server/gpu-idle', show);
  return router;
}
