import { Router, type Request, type Response } from 'express';
import type { GpuIdleWatch } from '../../culler/gpu-idle-watch';
import type { CullWarnings } from '../../culler/warnings';
import type { GpuMonitor } from '../../metrics/gpu/gpu-monitor';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireScope } from '../auth-guard';
import { cullingRouter } from './culling.routes';
import { gpuIdleRouter } from './gpu-idle.routes';
import { requireAnyScope, userResource } from './scope-check';

/** What {@link gpuRouter} serves from. */
export interface GpuRouterDeps {
  /** The hub's GPU monitor; null when `gpuMetrics` is off or the backend has no GPU collector. */
  readonly monitor: GpuMonitor | null;
  /** Why there is no monitor (shown in the `gpu_metrics_disabled` error). */
  readonly disabledReason: string;
  /** GPU-idle handling (culler and GPU metrics on), served by {@link gpuIdleRouter}; absent or null: off. */
  readonly idle?: GpuIdleWatch | null;
  /** The culler's warnings (culler on), served by {@link cullingRouter}; absent or null: off. */
  readonly culling?: CullWarnings | null;
}

/**
 * clusterhub's GPU endpoints (docs/gpu-metrics.md):
 * - `GET /clusterhub/users/:name/server/gpu` and `…/servers/:server/gpu`: recent readings of one
 *   server with their classification; needs `read:servers` on that server (its owner, admins):
 *   404 when the caller holds it only for others, 403 when not at all, as the rest of the API;
 * - `GET /clusterhub/gpus`: every GPU and MIG device of the last sample and who holds it; needs
 *   `read:servers` on every user (admins).
 * Both answer 404 `gpu_metrics_disabled` (after the scope check) when the hub collects nothing.
 * The GPU-idle status ({@link gpuIdleRouter}) and the culler's culling and keep-alive endpoints
 * ({@link cullingRouter}) are mounted here too.
 */
export function gpuRouter(ctx: HubContext, deps: GpuRouterDeps): Router {
  const router = Router();

  const monitorOrRefuse = (): GpuMonitor => {
    if (!deps.monitor) throw new HubError('gpu_metrics_disabled', deps.disabledReason);
    return deps.monitor;
  };

  const serverGpu = asyncHandler(async (req: Request, res: Response) => {
    const userName = param(req, 'name');
    const name = param(req, 'server');
    requireAnyScope(req, ['read:servers'], await userResource(ctx, userName, name));
    const monitor = monitorOrRefuse();
    const user = await ctx.users.get(userName);
    const server = await ctx.store.servers.get(user.id, name);
    if (!server && name !== '') throw new HubError('not_found', `${user.name} has no server named ${name}.`);
    res.json(
      monitor.serverModel({
        user: user.name,
        server: name,
        profile: server?.profile ?? null,
        state: server?.state ?? 'stopped',
        started: server?.started ?? null,
      }),
    );
  });
  router.get('/clusterhub/users/:name/server/gpu', serverGpu);
  router.get('/clusterhub/users/:name/servers/:server/gpu', serverGpu);

  router.get('/clusterhub/gpus', (req, res) => {
    requireScope(req, 'read:servers');
    res.json(monitorOrRefuse().overview());
  });
  router.use(gpuIdleRouter(ctx, deps.idle ?? null));
  router.use(cullingRouter(ctx, deps.culling ?? null));

  return router;
}
