import { Router, type Request, type Response } from 'express';
import { apiRoot, progressPath, serverPrefix, type StopReason } from '@clusterhub/shared';
import type { UserRecord } from '../../store/store';
import type { Identity } from '../../services/identity';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { allows, requestAuth } from '../auth-guard';
import { checkFormXsrf, ensureXsrf, hasDotSegment, safeNext } from '../browser-session';
import { startServer, stopServer } from '../api/servers.routes';
import { renderSpawnPending } from '../pages/spawn-pending';
import { renderNotRunning } from '../pages/not-running';
import { renderError } from '../pages/error';
import { pageUserOf } from '../error-handler';
import { renderSpawnConfirm } from '../pages/spawn-confirm';
import { jobOptionsOfForm } from './job-options-form';
import { chargeGroupOfForm } from './charge-group-form';

/** One percent-decoded path segment; a malformed escape is a 400, not a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HubError('bad_request', 'The path has a malformed percent-escape.');
  }
}

/** The signed-in browser user, or a redirect to the login page (returns null then). */
export function pageUser(ctx: HubContext, req: Request, res: Response): Identity | null {
  const identity = requestAuth(req).identity;
  if (identity?.kind === 'user' && identity.user) return identity;
  res.redirect(302, `${ctx.hubPrefix}login?next=${encodeURIComponent(req.originalUrl)}`);
  return null;
}

/** Spawn, stop, spawn-pending and the `/hub/user/...` fallback (protocol.md §11); the home page is home.routes.ts. */
export function serverPagesRouter(ctx: HubContext): Router {
  const router = Router();
  const base = ctx.config.hub.baseUrl;

  /** The owner named in the URL, checked against the viewer's scopes. */
  const owner = async (viewer: Identity, name: string, server: string, scope: string): Promise<UserRecord> => {
    if (!allows(viewer, scope, { user: name, server, userGroups: [] })) throw new HubError('forbidden', `You may not manage ${name}'s servers.`);
    return ctx.users.get(name);
  };

  router.get(['/', ''], (req, res) => {
    res.redirect(302, requestAuth(req).identity ? `${ctx.hubPrefix}home` : `${ctx.hubPrefix}login`);
  });

  const spawnPendingUrl = (user: string, server: string, next: string | null): string =>
    `${ctx.hubPrefix}spawn-pending/${encodeURIComponent(user)}${server ? `/${encodeURIComponent(server)}` : ''}${next ? `?next=${encodeURIComponent(next)}` : ''}`;

  /**
   * True when a GET comes from the user's own navigation: typed or bookmarked (`Sec-Fetch-Site:
   * none`), or a same-origin link on a hub page or on one of the viewer's own servers (Lab's
   * "restart"). Anything else, including a browser that sends no `Sec-Fetch-Site`, is not.
   */
  const ownNavigation = (req: Request, viewer: Identity): boolean => {
    const site = req.headers['sec-fetch-site'];
    if (site === 'none') return true;
    if (site !== 'same-origin' || typeof req.headers.referer !== 'string') return false;
    let from: string;
    try {
      from = new URL(req.headers.referer).pathname;
    } catch {
      return false;
    }
    return !hasDotSegment(from) && (from.startsWith(ctx.hubPrefix) || from.startsWith(serverPrefix(viewer.name, '', base)));
  };

  const spawn = (fromForm: boolean) =>
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer) return;
      if (fromForm) checkFormXsrf(req);
      const form = (fromForm ? req.body : req.query) as Record<string, unknown>;
      const serverName = param(req, 'server') || (typeof form.server_name === 'string' ? form.server_name.trim() : '');
      const user = await owner(viewer, param(req, 'user') || viewer.name, serverName, 'start:servers');
      const next = safeNext(req.query.next);
      const existing = await ctx.store.servers.get(user.id, serverName);
      if (existing?.state === 'running') {
        res.redirect(302, next ?? serverPrefix(user.name, serverName, base));
        return;
      }
      const profile = typeof form.profile === 'string' ? form.profile : typeof form['opt-profile'] === 'string' ? form['opt-profile'] : undefined;
      if (!fromForm && !ownNavigation(req, viewer)) {
        // A GET never starts a server for a link on another site or on someone's server page: ask first.
        const action = `${ctx.hubPrefix}spawn/${encodeURIComponent(user.name)}${serverName ? `/${encodeURIComponent(serverName)}` : ''}${next ? `?next=${encodeURIComponent(next)}` : ''}`;
        const known = profile ? ctx.config.profiles.find((p) => p.slug === profile) : undefined;
        res.type('html').send(
          renderSpawnConfirm({
            baseHubUrl: ctx.hubPrefix,
            user: { name: viewer.name, admin: viewer.user?.admin },
            owner: user.name,
            serverName,
            profile: profile ? { slug: profile, displayName: known?.displayName ?? profile } : null,
            action,
            xsrf: ensureXsrf(ctx, req, res),
          }),
        );
        return;
      }
      const body = profile ? { user_options: { profile, ...(fromForm ? { ...jobOptionsOfForm(form), ...chargeGroupOfForm(form, profile) } : {}) } } : undefined;
      try {
        await startServer(ctx, user, serverName, body, 0);
      } catch (err) {
        if (err instanceof HubError && err.status < 500) {
          res.status(err.status).type('html').send(renderError({ baseHubUrl: ctx.hubPrefix, status: err.status, message: err.message, user: pageUserOf(req) }));
          return;
        }
        if (!(err instanceof HubError && err.code === 'spawn_failed')) throw err;
      }
      res.redirect(302, spawnPendingUrl(user.name, serverName, next));
    });
  router.get(['/spawn', '/spawn/:user', '/spawn/:user/:server'], spawn(false));
  router.post(['/spawn', '/spawn/:user', '/spawn/:user/:server'], spawn(true));

  router.post(
    ['/stop/:user', '/stop/:user/:server'],
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer) return;
      checkFormXsrf(req);
      const serverName = param(req, 'server');
      const user = await owner(viewer, param(req, 'user'), serverName, 'delete:servers');
      const server = await ctx.store.servers.get(user.id, serverName);
      const reason: StopReason = viewer.name === user.name ? 'user' : 'admin';
      if (server) await stopServer(ctx, user, server, reason, false);
      res.redirect(303, `${ctx.hubPrefix}home`);
    }),
  );

  router.get(
    ['/spawn-pending/:user', '/spawn-pending/:user/:server'],
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer) return;
      const serverName = param(req, 'server');
      const user = await owner(viewer, param(req, 'user'), serverName, 'read:servers');
      const server = await ctx.store.servers.get(user.id, serverName);
      const next = safeNext(req.query.next) ?? serverPrefix(user.name, serverName, base);
      if (server?.state === 'running') {
        res.redirect(302, next);
        return;
      }
      if (!server || (server.state !== 'pending-start' && !ctx.lifecycle.progressOf(server.id))) {
        res.redirect(302, `${ctx.hubPrefix}home`);
        return;
      }
      const xsrf = ensureXsrf(ctx, req, res);
      res.type('html').send(
        renderSpawnPending({
          baseHubUrl: ctx.hubPrefix,
          user: { name: viewer.name, admin: viewer.user?.admin },
          owner: user.name,
          xsrf,
          serverName,
          progressUrl: `${apiRoot(base)}${progressPath(user.name, serverName)}?_xsrf=${encodeURIComponent(xsrf)}`,
          nextUrl: next,
        }),
      );
    }),
  );

  router.all(
    /^\/user\/([^/]+)(?:\/(.*))?$/,
    asyncHandler(async (req, res) => {
      const viewer = pageUser(ctx, req, res);
      if (!viewer) return;
      // Raw path segments, each decoded once (express already decoded req.params: never again).
      if (hasDotSegment(req.path)) throw new HubError('bad_request', 'The path has "." or ".." segments.');
      const [, rawUser = '', rest = ''] = /^\/user\/([^/]+)(?:\/(.*))?$/.exec(req.path) ?? [];
      const user = await ctx.users.get(decodeSegment(rawUser));
      const servers = await ctx.store.servers.listByUser(user.id);
      const first = decodeSegment(rest.split('/')[0] ?? '');
      const named = first ? servers.find((s) => s.name === first) : undefined;
      const server = named ?? servers.find((s) => s.name === '');
      const serverName = server?.name ?? '';
      if (!allows(viewer, 'access:servers', { user: user.name, server: serverName, userGroups: [] })) throw new HubError('forbidden', `You may not access ${user.name}'s server.`);
      const path = `${base}user/${req.originalUrl.slice(`${ctx.hubPrefix}user/`.length)}`;
      if (server?.state === 'running') {
        const url = new URL(path, 'http://x');
        if (!url.pathname.startsWith(`${base}user/`)) throw new HubError('bad_request', 'The path does not stay under /user/.');
        const redirects = Number(url.searchParams.get('redirects') ?? '0');
        if (redirects >= 4) throw new HubError('backend_unavailable', `Redirect loop at ${url.pathname}: the proxy has no route to the server.`);
        url.searchParams.set('redirects', String(redirects + 1));
        await ctx.checkRoutes();
        res.redirect(302, `${url.pathname}${url.search}`);
        return;
      }
      // Pending or just failed ⇒ the spawn-pending page shows progress or the failure (protocol.md §11).
      if (server?.state === 'pending-start' || server?.state === 'failed') {
        res.redirect(303, spawnPendingUrl(user.name, serverName, path));
        return;
      }
      const spawnUrl = `${ctx.hubPrefix}spawn/${encodeURIComponent(user.name)}${serverName ? `/${encodeURIComponent(serverName)}` : ''}?next=${encodeURIComponent(path)}`;
      const wantsJson = req.method !== 'GET' || (req.headers.accept ?? '').includes('application/json') || /\/api\//.test(path);
      if (wantsJson) {
        const err = new HubError('server_not_running', `${user.name}'s server ${serverName || '(default)'} is not running.`, { details: { spawn_url: spawnUrl } });
        // Answered here: outside /hub/api the error handler would render HTML (protocol.md §11 wants JSON 424).
        res.status(err.status).json({ code: err.code, message: err.message, status: err.status, details: err.options.details });
        return;
      }
      res.status(424).type('html').send(
        renderNotRunning({
          baseHubUrl: ctx.hubPrefix,
          user: { name: viewer.name, admin: viewer.user?.admin },
          owner: user.name === viewer.name ? undefined : user.name,
          serverName,
          spawnUrl,
          stopReason: server?.stopReason ?? null,
          message: server?.message ?? null,
        }),
      );
    }),
  );

  router.get(/^\/user-redirect\/(.*)$/, (req, res) => {
    const viewer = pageUser(ctx, req, res);
    if (!viewer) return;
    const rest = req.originalUrl.slice(`${ctx.hubPrefix}user-redirect/`.length);
    const next = `${base}user/${encodeURIComponent(viewer.name)}/${rest}`;
    res.redirect(302, `${ctx.hubPrefix}spawn/${encodeURIComponent(viewer.name)}?next=${encodeURIComponent(next)}`);
  });

  return router;
}

