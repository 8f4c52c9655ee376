import { Router } from 'express';
import type { HubContext } from '../context';
import { asyncHandler } from '../async-handler';
import { requireScope } from '../auth-guard';
import { pageUserOf } from '../error-handler';
import { HUB_CSS } from '../pages/style';
import { renderError } from '../pages/error';

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

  router.get('/error/:code', (req, res) => {
    const status = Number.parseInt(String(req.params.code), 10);
    const code = Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
    const message = code === 503 ? 'Your server appears to be down. Try restarting it from the hub home page.' : '';
    res.status(code).type('html').send(renderError({ baseHubUrl: ctx.hubPrefix, status: code, message, user: pageUserOf(req) }));
  });

  return router;
}
