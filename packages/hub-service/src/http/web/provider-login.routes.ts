/**
 * Login at an external provider (authenticators with a {@link RedirectLogin}): `/hub/oauth_login`
 * starts it (the state kept in a short-lived cookie of this browser) and sends the browser to the
 * provider; `/hub/oauth_callback` (JupyterHub's name) finishes it, then the usual browser session
 * and `next`. Every failure is shown on the login page in plain words, with nothing stored.
 */
import { Router, type Request, type Response } from 'express';
import type { RedirectLogin } from '../../authenticators/authenticator';
import type { HubContext } from '../context';
import { asyncHandler } from '../async-handler';
import { cookiesOf } from '../auth-guard';
import { safeNext } from '../browser-session';
import { clientUsedHttps, secureCookies } from '../forwarded';
import { completeLogin } from './login-complete';

/** Cookie that binds a started provider login to this browser (its `state`). */
export const OAUTH_STATE_COOKIE = 'clusterhub-oauth-state';

/** How long a started provider login may take, in milliseconds (the cookie's lifetime). */
const STATE_COOKIE_MAX_AGE_MS = 600_000;

/** Shows the login page with an error (the caller's renderer). */
export type ShowLoginError = (req: Request, res: Response, status: number, error: string, next: string | null) => void;

/** The redirect URI: `auth.oidc.callbackUrl`, or this hub's `…/hub/oauth_callback` as the browser reached it. */
function redirectUriOf(ctx: HubContext, req: Request): string {
  const configured = ctx.config.auth.oidc?.callbackUrl;
  if (configured) return configured;
  const scheme = clientUsedHttps(ctx.config.hub, req) ? 'https' : 'http';
  return `${scheme}://${req.headers.host ?? 'localhost'}${ctx.hubPrefix}oauth_callback`;
}

/** The provider-login routes, for an authenticator that has a redirect login. */
export function providerLoginRouter(ctx: HubContext, login: RedirectLogin, showError: ShowLoginError): Router {
  const router = Router();
  const cookiePath = `${ctx.hubPrefix}oauth_callback`;

  router.get(
    '/oauth_login',
    asyncHandler(async (req, res) => {
      const next = safeNext(req.query.next);
      const started = await login.begin({ redirectUri: redirectUriOf(ctx, req), next });
      if (!started.ok) {
        ctx.logger.warn({ reason: started.reason }, 'login at the provider could not start');
        showError(req, res, 502, started.message, next);
        return;
      }
      res.cookie(OAUTH_STATE_COOKIE, started.state, {
        path: cookiePath,
        httpOnly: true,
        sameSite: 'lax',
        maxAge: STATE_COOKIE_MAX_AGE_MS,
        secure: secureCookies(ctx.config.hub, req),
      });
      res.redirect(302, started.url);
    }),
  );

  router.get(
    '/oauth_callback',
    asyncHandler(async (req, res) => {
      const t0 = ctx.clock();
      const browserState = cookiesOf(req)[OAUTH_STATE_COOKIE];
      res.clearCookie(OAUTH_STATE_COOKIE, { path: cookiePath, secure: secureCookies(ctx.config.hub, req) });
      const callbackUrl = new URL(req.originalUrl, 'http://callback.invalid').toString();
      const outcome = await login.finish({ redirectUri: redirectUriOf(ctx, req), callbackUrl, browserState });
      if (!outcome.ok) {
        ctx.metrics.observeLogin('failure', (ctx.clock() - t0) / 1000);
        ctx.logger.info({ reason: outcome.reason }, 'login refused');
        await ctx.audit?.record({ action: 'login.failure', actor: { kind: 'anonymous', name: null }, details: { method: ctx.config.auth.kind, reason: outcome.reason } });
        showError(req, res, 403, outcome.message ?? 'The sign-in was refused.', outcome.next);
        return;
      }
      await completeLogin(ctx, req, res, outcome, t0);
      res.redirect(302, outcome.next ?? `${ctx.hubPrefix}home`);
    }),
  );

  return router;
}
