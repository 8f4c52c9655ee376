import { Router } from 'express';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler } from '../async-handler';
import { checkFormXsrf, ensureXsrf } from '../browser-session';
import { createApiToken, revokeToken } from '../api/tokens.routes';
import { renderTokenPage } from '../pages/token';
import { pageUser } from './servers.routes';
import type { UserRecord } from '../../store/store';
import type { Request, Response } from 'express';

const EXPIRY_CHOICES: Readonly<Record<string, number | undefined>> = { never: undefined, '3600': 3600, '86400': 86400, '604800': 604800, '2592000': 2592000 };

/** The token page: list, request and revoke API tokens (protocol.md §11). */
export function tokenPageRouter(ctx: HubContext): Router {
  const router = Router();

  const render = async (req: Request, res: Response, user: UserRecord, newToken?: string): Promise<void> => {
    const now = ctx.clock();
    const tokens = (await ctx.store.tokens.listForUser(user.id)).filter((t) => t.kind !== 'server' && !(t.expiresAt && t.expiresAt.getTime() <= now));
    const views = [];
    for (const t of tokens) {
      views.push({
        id: `a${t.id}`,
        note: t.note,
        created: t.created.toISOString(),
        lastActivity: t.lastActivity?.toISOString() ?? null,
        expiresAt: t.expiresAt?.toISOString() ?? null,
        scopes: [...(await ctx.identity.tokenScopes(t, user))].sort(),
        oauthClient: t.oauthClientId ?? 'jupyterhub',
      });
    }
    res.type('html').send(renderTokenPage({ baseHubUrl: ctx.hubPrefix, user: { name: user.name, admin: user.admin }, xsrf: ensureXsrf(ctx, req, res), tokens: views, newToken }));
  };

  router.get(
    '/token',
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (viewer?.user) await render(req, res, viewer.user);
    }),
  );

  router.post(
    '/token',
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer?.user) return;
      checkFormXsrf(req);
      const form = req.body as Record<string, unknown>;
      const note = typeof form.note === 'string' ? form.note.slice(0, 1000) : '';
      const expiry = typeof form.expires_in === 'string' ? form.expires_in : 'never';
      if (!(expiry in EXPIRY_CHOICES)) throw new HubError('validation_failed', 'Choose an expiry from the list.');
      const created = await createApiToken(ctx, viewer.user, { note: note || 'Requested from the token page', expiresInSeconds: EXPIRY_CHOICES[expiry] });
      await render(req, res, viewer.user, created.token);
    }),
  );

  router.post(
    '/token/revoke',
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer?.user) return;
      checkFormXsrf(req);
      const raw = (req.body as Record<string, unknown>).id;
      const id = typeof raw === 'string' ? Number(raw.replace(/^a/, '')) : NaN;
      const token = Number.isInteger(id) ? await ctx.store.tokens.getById(id) : null;
      if (!token || token.userId !== viewer.user.id || token.kind === 'server') throw new HubError('not_found', 'No such token.');
      await revokeToken(ctx, viewer.user, token);
      res.redirect(303, `${ctx.hubPrefix}token`);
    }),
  );

  return router;
}
