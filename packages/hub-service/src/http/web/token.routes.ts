import { Router } from 'express';
import { DEFAULT_ROLES, SELF_SCOPES, validateScopes } from '@clusterhub/shared';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler } from '../async-handler';
import { checkFormXsrf, ensureXsrf } from '../browser-session';
import { createApiToken, revokeToken } from '../api/tokens.routes';
import { renderTokenPage, TOKEN_LIFETIMES } from '../pages/token';
import { pageUser } from './servers.routes';
import { FlashStore } from './flash';
import { secureCookies } from '../forwarded';
import type { UserRecord } from '../../store/store';
import type { Request, Response } from 'express';

/** Accepted `expires_in` values: the form's choices (`''` = never) and the older `never`. */
const EXPIRY_CHOICES: ReadonlyMap<string, number | undefined> = new Map<string, number | undefined>([
  ['never', undefined],
  ...TOKEN_LIFETIMES.map(([value]) => [value, value === '' ? undefined : Number(value)] as const),
]);

/** Cookie that points at the one-time display of a new token. */
export const TOKEN_FLASH_COOKIE = 'clusterhub-token-flash';

/**
 * The scopes the token form offers as checkboxes: the user's own role, unexpanded (`self` as its
 * `!user=<name>` parts; an admin's admin scopes too). Nothing ticked = all of the user's scopes.
 */
export function tokenScopeChoices(user: Pick<UserRecord, 'name' | 'admin'>): string[] {
  const own = SELF_SCOPES.map((s) => `${s}!user=${user.name}`);
  const all = user.admin ? [...DEFAULT_ROLES.admin, ...own] : own;
  return all.filter((s) => validateScopes([s]).ok);
}

/** The `scopes` form field (repeated checkboxes) as a list; refuses anything not offered. */
function chosenScopes(raw: unknown, offered: readonly string[]): string[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as unknown[]) : [raw];
  const chosen: string[] = [];
  for (const s of list) {
    if (typeof s !== 'string' || !offered.includes(s)) throw new HubError('invalid_scope', 'Choose permissions from the list.');
    if (!chosen.includes(s)) chosen.push(s);
  }
  return chosen;
}

/** The token page: list, request and revoke API tokens (protocol.md §11). */
export function tokenPageRouter(ctx: HubContext): Router {
  const router = Router();
  const flash = new FlashStore<string>({ cookie: TOKEN_FLASH_COOKIE, path: `${ctx.hubPrefix}token`, clock: ctx.clock, secure: (req) => secureCookies(ctx.config.hub, req) });

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
    // The page may carry a secret: never cache it.
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      renderTokenPage({
        baseHubUrl: ctx.hubPrefix,
        user: { name: user.name, admin: user.admin },
        xsrf: ensureXsrf(ctx, req, res),
        tokens: views,
        newToken,
        scopeChoices: tokenScopeChoices(user),
      }),
    );
  };

  router.get(
    '/token',
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (viewer?.user) await render(req, res, viewer.user, flash.take(req, res, viewer.user.id));
    }),
  );

  // POST-redirect-GET: the new secret waits server-side for the next GET, so a reload creates nothing.
  router.post(
    '/token',
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer?.user) return;
      checkFormXsrf(req);
      const form = req.body as Record<string, unknown>;
      const note = typeof form.note === 'string' ? form.note.slice(0, 1000) : '';
      const expiry = typeof form.expires_in === 'string' ? form.expires_in : '';
      if (!EXPIRY_CHOICES.has(expiry)) throw new HubError('validation_failed', 'Choose an expiry from the list.');
      const scopes = chosenScopes(form.scopes, tokenScopeChoices(viewer.user));
      const created = await createApiToken(ctx, viewer.user, { note: note || 'Requested from the token page', expiresInSeconds: EXPIRY_CHOICES.get(expiry), scopes });
      flash.put(req, res, viewer.user.id, created.token);
      res.redirect(303, `${ctx.hubPrefix}token`);
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
