import { Router, type Request, type Response } from 'express';
import type { HubContext } from '../context';
import { asyncHandler } from '../async-handler';
import { requestAuth, cookiesOf } from '../auth-guard';
import { checkFormXsrf, endBrowserSession, ensureXsrf, safeNext } from '../browser-session';
import { SESSION_ID_COOKIE } from '../session-cookie';
import { clientAddress } from '../forwarded';
import { renderLogin } from '../pages/login';
import { renderLoggedOut } from '../pages/logout';
import { isValidUserName } from '@clusterhub/shared';
import { completeLogin } from './login-complete';
import { providerLoginRouter } from './provider-login.routes';

/** Login and logout pages (protocol.md §11, §4.5); with a redirecting authenticator also `/oauth_login` and `/oauth_callback`. */
export function loginRouter(ctx: HubContext): Router {
  const router = Router();
  const home = `${ctx.hubPrefix}home`;

  const redirect = ctx.authenticator.redirect;
  const showLogin = (req: Request, res: Response, status: number, extra: { error?: string; username?: string; next?: string | null } = {}): void => {
    const { next: given, ...rest } = extra;
    const next = (given === undefined ? safeNext(req.query.next) : given) ?? '';
    const provider = redirect
      ? { label: redirect.buttonLabel, href: `${ctx.hubPrefix}oauth_login${next === '' ? '' : `?next=${encodeURIComponent(next)}`}` }
      : undefined;
    res
      .status(status)
      .type('html')
      .send(renderLogin({ baseHubUrl: ctx.hubPrefix, next, xsrf: ensureXsrf(ctx, req, res), ...(provider ? { provider } : {}), ...rest }));
  };
  if (redirect) router.use(providerLoginRouter(ctx, redirect, (req, res, status, error, next) => showLogin(req, res, status, { error, next })));

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
        ctx.logger[outcome.unavailable ? 'warn' : 'info']({ username, reason: outcome.reason }, 'login refused');
        await ctx.audit?.record({ action: 'login.failure', user: username, actor: { kind: 'anonymous', name: null }, details: { method: ctx.config.auth.kind, reason: outcome.reason } });
        if (outcome.retryAfterSeconds) {
          res.setHeader('Retry-After', String(Math.ceil(outcome.retryAfterSeconds)));
          showLogin(req, res, 429, { username, error: `Too many failed attempts. Wait ${Math.ceil(outcome.retryAfterSeconds)} s and try again.` });
        } else {
          const error = outcome.message ?? (redirect ? 'Sign in at the identity provider.' : 'Invalid username or password.');
          showLogin(req, res, outcome.unavailable ? 503 : 403, { username, error });
        }
        return;
      }
      if (!isValidUserName(outcome.username)) {
        showLogin(req, res, 403, { username, error: 'This account name is not valid on this hub.' });
        return;
      }
      await completeLogin(ctx, req, res, outcome, t0);
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
      if (identity?.kind === 'user') await ctx.audit?.record({ action: 'logout', user: identity.name });
      endBrowserSession(ctx, req, res);
      res.status(200).type('html').send(renderLoggedOut({ baseHubUrl: ctx.hubPrefix }));
    }),
  );

  return router;
}
