import { Router, type Request, type Response } from 'express';
import type { HubContext } from '../context';
import { asyncHandler } from '../async-handler';
import { requestAuth } from '../auth-guard';
import { checkFormXsrf, ensureXsrf } from '../browser-session';
import { appendQuery, OAuthError, type AuthorizeParams, type OAuthProvider } from '../../oauth/oauth-provider';
import { renderError } from '../pages/error';
import { renderOAuthConfirm } from '../pages/oauth-confirm';

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** `/hub/api/oauth2/authorize` and `/hub/api/oauth2/token` (protocol.md §4). */
export function oauthRouter(ctx: HubContext, provider: OAuthProvider): Router {
  const router = Router();

  const authorize = asyncHandler(async (req: Request, res: Response) => {
    const identity = requestAuth(req).identity;
    if (!identity?.user || !requestAuth(req).viaCookie) {
      res.redirect(302, `${ctx.hubPrefix}login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    const q = req.query;
    const params: AuthorizeParams = {
      clientId: str(q.client_id) ?? '',
      redirectUri: str(q.redirect_uri) ?? '',
      responseType: str(q.response_type) ?? '',
      state: str(q.state),
      codeChallenge: str(q.code_challenge),
      codeChallengeMethod: str(q.code_challenge_method),
    };
    try {
      const check = await provider.checkAuthorize(identity, params);
      if (check.needsConfirmation && req.method !== 'POST') {
        res.type('html').send(
          renderOAuthConfirm({
            baseHubUrl: ctx.hubPrefix,
            user: { name: identity.name },
            clientDescription: check.client.description,
            scopes: check.client.allowedScopes,
            actionUrl: req.originalUrl,
            xsrf: ensureXsrf(ctx, req, res),
          }),
        );
        return;
      }
      if (req.method === 'POST') checkFormXsrf(req);
      res.redirect(302, await provider.issueCode(identity.user, identity.sessionId, check, params));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      if (err.error === 'invalid_client' || err.error === 'access_denied' || !params.redirectUri) {
        res.status(err.status).type('html').send(renderError({ baseHubUrl: ctx.hubPrefix, status: err.status, message: err.description, user: { name: identity.name } }));
        return;
      }
      res.redirect(302, appendQuery(params.redirectUri, { error: err.error, error_description: err.description, state: params.state }));
    }
  });
  router.get('/oauth2/authorize', authorize);
  router.post('/oauth2/authorize', authorize);

  router.post(
    '/oauth2/token',
    asyncHandler(async (req, res) => {
      const body: unknown = req.body;
      const form: Record<string, string | undefined> = {};
      if (typeof body === 'object' && body !== null) {
        for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v;
      }
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      try {
        res.json(await provider.exchangeCode(form));
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        res.status(err.status).json({ error: err.error, error_description: err.description });
      }
    }),
  );

  return router;
}
