import { Router, type Request, type Response } from 'express';
import type { HubContext } from '../context';
import { asyncHandler } from '../async-handler';
import { requestAuth, cookiesOf } from '../auth-guard';
import { checkFormXsrf, endBrowserSession, ensureXsrf, safeNext, startBrowserSession } from '../browser-session';
import { SESSION_ID_COOKIE } from '../session-cookie';
import { clientAddress } from '../forwarded';
import { renderLogin } from '../pages/login';
import { renderLoggedOut } from '../pages/logout';
import { isValidUserName } from '@clusterhub/shared';

/** Login and logout pages (protocol.md §11, §4.5). */
export function loginRouter(ctx: HubContext): Router {
  const router = Router();
  const home = `${ctx.hubPrefix}home`;

  const showLogin = (req: Request, res: Response, status: number, extra: { error?: string; username?: string } = {}): void => {
    const next = safeNext(req.query.next) ?? '';
    res.status(status).type('html').send(renderLogin({ baseHubUrl: ctx.hubPrefix, next, xsrf: ensureXsrf(ctx, req, res), ...extra }));
  };

  router.get('/login', (req, res) => {
    if (requestAuth(req).identity?.kind === 'user') {
      res.redirect(302, safeNext(req.query.next) ?? home);
      return;
    }
    showLogin(req, res, 200);
  });

  router.post(
    '/login',
    asyncHandler(async (req, res) => {
      checkFormXsrf(req);
      const body = req.body as Record<string, unknown>;
      const username = typeof body.username === 'string' ? body.username.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const t0 = ctx.clock();
      const outcome = await ctx.authenticator.authenticate({ username, password, remoteAddress: clientAddress(ctx.config.hub, req) });
      if (!outcome.ok) {
        ctx.metrics.observeLogin('failure', (ctx.clock() - t0) / 1000);
        ctx.logger.info({ username, reason: outcome.reason }, 'login refused');
        if (outcome.retryAfterSeconds) {
          res.setHeader('Retry-After', String(Math.ceil(outcome.retryAfterSeconds)));
          showLogin(req, res, 429, { username, error: `Too many failed attempts. Wait ${Math.ceil(outcome.retryAfterSeconds)} s and try again.` });
        } else showLogin(req, res, 403, { username, error: 'Invalid username or password.' });
        return;
      }
      if (!isValidUserName(outcome.username)) {
        showLogin(req, res, 403, { username, error: 'This account name is not valid on this hub.' });
        return;
      }
      let user = await ctx.store.users.getByName(outcome.username);
      user ??= await ctx.users.create(outcome.username, { admin: ctx.config.auth.admins.includes(outcome.username) });
      if (ctx.config.auth.admins.includes(user.name) && !user.admin) user = (await ctx.store.users.update(user.id, { admin: true })) ?? user;
      startBrowserSession(ctx, req, res, user.id);
      await ctx.store.users.touchActivity(user.id, new Date(ctx.clock()));
      ctx.metrics.observeLogin('success', (ctx.clock() - t0) / 1000);
      ctx.logger.info({ user: user.name }, 'login');
      res.redirect(302, safeNext(req.query.next) ?? home);
    }),
  );

  router.get(
    '/logout',
    asyncHandler(async (req, res) => {
      const auth = requestAuth(req);
      const identity = auth.identity;
      // The session of the signed login cookie: a plain session-id cookie can be planted by a same-origin page.
      const sessionId = (auth.viaCookie ? identity?.sessionId : null) ?? cookiesOf(req)[SESSION_ID_COOKIE];
      if (sessionId && identity?.user) await ctx.store.tokens.deleteWhere({ userId: identity.user.id, sessionId });
      endBrowserSession(ctx, req, res);
      res.status(200).type('html').send(renderLoggedOut({ baseHubUrl: ctx.hubPrefix }));
    }),
  );

  return router;
}
