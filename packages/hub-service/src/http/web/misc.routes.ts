import { Router, type Request } from 'express';
import type { HubContext } from '../context';
import { asyncHandler } from '../async-handler';
import { allows, requestAuth, requireScope } from '../auth-guard';
import { pageUserOf } from '../error-handler';
import { safeNext } from '../browser-session';
import { HUB_CSS } from '../pages/style';
import { renderError } from '../pages/error';

/** Seconds before the proxy-error page tries the server again. */
export const PROXY_ERROR_RETRY_SECONDS = 5;

/**
 * For the proxy's error target: when `path` (`<base>user/<name>/…`) is a server the viewer may
 * open and the backend says it is gone (it is marked stopped then), the hub URL that shows why
 * (`<hub>user/<name>/…`: the "not running" page); null while it may still come back.
 */
async function goneServerPage(ctx: HubContext, req: Request, path: string): Promise<string | null> {
  const viewer = requestAuth(req).identity;
  const prefix = `${ctx.config.hub.baseUrl}user/`;
  if (viewer === null || !path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  const [rawUser = '', rawServer = ''] = rest.split('/');
  let userName: string;
  let serverName: string;
  try {
    userName = decodeURIComponent(rawUser);
    serverName = decodeURIComponent(rawServer);
  } catch {
    return null;
  }
  const user = await ctx.store.users.getByName(userName);
  if (!user) return null;
  const servers = await ctx.store.servers.listByUser(user.id);
  let server = servers.find((s) => s.name !== '' && s.name === serverName) ?? servers.find((s) => s.name === '');
  if (!server || !allows(viewer, 'access:servers', { user: user.name, server: server.name, userGroups: [] })) return null;
  if (server.state === 'running') server = await ctx.lifecycle.verifyRunning(user, server);
  return server.state === 'running' || server.state === 'pending-start' ? null : `${ctx.hubPrefix}user/${rest}`;
}

/** Health, metrics, the stylesheet and the proxy's error target. */
export function miscRouter(ctx: HubContext): Router {
  const router = Router();

  router.get(['/health', '/api/health'], (_req, res) => {
    res.status(200).end();
  });

  router.get(
    ['/metrics', '/api/metrics'],
    asyncHandler(async (req, res) => {
      if (ctx.config.hub.authenticatePrometheus) requireScope(req, 'read:metrics');
      res.type(ctx.metrics.contentType).send(await ctx.metrics.metrics());
    }),
  );

  router.get('/static/clusterhub.css', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('css').send(HUB_CSS);
  });

  // The proxy's error target (`?url=` the path that failed): a server found gone goes to the page
  // that says why; otherwise a small page that retries the server every few seconds.
  router.get(
    '/error/:code',
    asyncHandler(async (req, res) => {
      const status = Number.parseInt(String(req.params.code), 10);
      const code = Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
      const failed = safeNext(req.query.url);
      const path = failed === null ? null : (failed.split('?')[0] ?? null);
      if (code === 503 && path !== null) {
        const gone = await goneServerPage(ctx, req, path);
        if (gone !== null) {
          res.redirect(302, gone);
          return;
        }
      }
      const message = code === 503 ? 'Your server is not reachable right now. It may have stopped, or be restarting.' : '';
      res.setHeader('Cache-Control', 'no-store');
      res.status(code).type('html').send(
        renderError({
          baseHubUrl: ctx.hubPrefix,
          status: code,
          message,
          user: pageUserOf(req),
          retry: code === 503 && path !== null ? { url: path, seconds: PROXY_ERROR_RETRY_SECONDS } : undefined,
        }),
      );
    }),
  );

  return router;
}
