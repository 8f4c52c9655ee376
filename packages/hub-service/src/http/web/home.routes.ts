import { Router, type Request, type Response } from 'express';
import { describeResources, resourceEnforcement, serverPrefix, type ProfileBatchModel, type ProfileCapacityModel, type ProfileConfig } from '@clusterhub/shared';
import type { UserRecord } from '../../store/store';
import type { Identity } from '../../services/identity';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { profileAccess } from '../../services/profile-access';
import { chargeGroups } from '../../services/ledger';
import { chargeGroupOfForm } from './charge-group-form';
import { asyncHandler, param } from '../async-handler';
import { allows } from '../auth-guard';
import { checkFormXsrf, ensureXsrf } from '../browser-session';
import { chooseProfile, startServer, stopServer } from '../api/servers.routes';
import { renderHome, type HomeServer, type HomeView, type NewServerForm } from '../pages/home';
import { pageUser } from './servers.routes';
import { backendKindOf } from '../../config/backends';
import { freeNowText } from '../pages/batch-choices';
import { capacityText } from '../pages/capacity-text';

/** The parts of the home view a form answer may add: a notice, or the new-server form as typed with its error. */
type HomeExtras = Pick<HomeView, 'notice' | 'newServer'>;

/** Builds the home page of `viewer` (their own servers and the profiles they may start). */
export async function homeView(ctx: HubContext, req: Request, res: Response, viewer: Identity & { user: UserRecord }, extras: HomeExtras = {}): Promise<HomeView> {
  const user = viewer.user;
  const base = ctx.config.hub.baseUrl;
  const servers = await ctx.store.servers.listByUser(user.id);
  const profileNames = new Map(ctx.config.profiles.map((p) => [p.slug, p.displayName]));
  const views: HomeServer[] = servers.map((s) => ({
    name: s.name,
    displayName: s.displayName || s.name,
    state: s.state,
    url: serverPrefix(user.name, s.name, base),
    profile: s.profile,
    profileName: s.profile ? (profileNames.get(s.profile) ?? s.profile) : null,
    lastActivity: s.lastActivity?.toISOString() ?? null,
    stopReason: s.stopReason,
    message: s.message,
    chargeGroup: typeof s.userOptions.charge_group === 'string' ? s.userOptions.charge_group : null,
  }));
  if (!views.some((v) => v.name === '')) {
    // A user who never started a server has no record yet: show the default one as stopped.
    views.unshift({ name: '', displayName: '', state: 'stopped', url: serverPrefix(user.name, '', base), profile: null, profileName: null, lastActivity: null, stopReason: null, message: null });
  }
  const accessOf = (p: ProfileConfig) => profileAccess(p, { name: user.name, admin: user.admin, groups: viewer.groups });
  const open = ctx.config.profiles.filter((p) => accessOf(p).allowed);
  const [batch, cluster] = await Promise.all([
    ctx.batch ? ctx.batch.capacity.forProfiles(open, user.name) : new Map<string, ProfileBatchModel>(),
    ctx.backends ? ctx.backends.capacities(open) : new Map<string, ProfileCapacityModel>(),
  ]);
  return {
    baseHubUrl: ctx.hubPrefix,
    user: { name: user.name, admin: user.admin },
    xsrf: ensureXsrf(ctx, req, res),
    allowNamedServers: ctx.config.hub.allowNamedServers,
    servers: views,
    profiles: ctx.config.profiles.map((p) => {
      const access = accessOf(p);
      const free = batch.get(p.slug);
      const capacity = cluster.get(p.slug);
      const freeNow = free ? freeNowText(free) : capacity ? capacityText(capacity) : null;
      return {
        slug: p.slug,
        displayName: p.displayName,
        description: p.description ?? '',
        kind: p.kind,
        summary: describeResources(p),
        pricePerHour: p.pricePerHour ?? 0,
        allowed: access.allowed,
        ...(access.allowed ? {} : { reason: access.reason }),
        default: p.default ?? false,
        notApplied: resourceEnforcement(backendKindOf(ctx.config, p), p)?.notApplied ?? [],
        ...(freeNow === null ? {} : { freeNow }),
        ...(access.allowed ? { chargeGroups: chargeGroups(p, viewer.groups) } : {}),
      };
    }),
    batchProfiles: ctx.config.profiles.flatMap((p) => {
      const b = batch.get(p.slug);
      return b ? [{ slug: p.slug, displayName: p.displayName, batch: b, chargeGroups: chargeGroups(p, viewer.groups) }] : [];
    }),
    ...extras,
  };
}

/** The signed-in user (with a user row), or null after redirecting to the login page. */
function homeUser(ctx: HubContext, req: Request, res: Response): (Identity & { user: UserRecord }) | null {
  const viewer = pageUser(ctx, req, res);
  return viewer?.user ? (viewer as Identity & { user: UserRecord }) : null;
}

/** The user's own server named in the path, after the scope check; 404 for the default server or a missing one. */
async function ownNamedServer(ctx: HubContext, viewer: Identity & { user: UserRecord }, req: Request, scope: string) {
  const name = param(req, 'server');
  if (!allows(viewer, scope, { user: viewer.name, server: name, userGroups: viewer.groups })) throw new HubError('forbidden', `You may not change the server ${name}.`);
  const server = name === '' ? null : await ctx.store.servers.get(viewer.user.id, name);
  if (!server) throw new HubError('not_found', `You have no server named ${name}.`);
  return server;
}

/**
 * The home page and its forms for the signed-in user's own servers (protocol.md §11): create and
 * start a named server (a refused name re-renders the form with what was typed and why), change a
 * stopped server's profile (the API's PATCH of JupyterHub 6.0), delete a stopped named server.
 * Starting and stopping existing servers go through `{hub}spawn/…` and `{hub}stop/…`.
 */
export function homePageRouter(ctx: HubContext): Router {
  const router = Router();

  router.get(
    '/home',
    asyncHandler(async (req, res) => {
      const viewer = homeUser(ctx, req, res);
      if (viewer) res.type('html').send(renderHome(await homeView(ctx, req, res, viewer)));
    }),
  );

  router.post(
    '/home/servers',
    asyncHandler(async (req, res) => {
      const viewer = homeUser(ctx, req, res);
      if (!viewer) return;
      checkFormXsrf(req);
      const form = req.body as Record<string, unknown>;
      const name = typeof form.server_name === 'string' ? form.server_name.trim() : '';
      const profile = typeof form.profile === 'string' && form.profile !== '' ? form.profile : null;
      try {
        if (name === '') throw new HubError('invalid_server_name', 'Give the new server a name.');
        if (!allows(viewer, 'start:servers', { user: viewer.name, server: name, userGroups: viewer.groups })) throw new HubError('forbidden', 'You may not start servers.');
        if (await ctx.store.servers.get(viewer.user.id, name)) throw new HubError('conflict', `You already have a server named ${name}.`);
        await startServer(ctx, viewer.user, name, profile === null ? undefined : { user_options: { profile, ...chargeGroupOfForm(form, profile) } }, 0);
      } catch (err) {
        if (err instanceof HubError && err.status < 500) {
          const newServer: NewServerForm = { name, profile, error: err.message };
          res.status(err.status).type('html').send(renderHome(await homeView(ctx, req, res, viewer, { newServer })));
          return;
        }
        if (!(err instanceof HubError && err.code === 'spawn_failed')) throw err;
      }
      res.redirect(303, `${ctx.hubPrefix}spawn-pending/${encodeURIComponent(viewer.name)}/${encodeURIComponent(name)}`);
    }),
  );

  router.post(
    '/home/servers/:server/profile',
    asyncHandler(async (req, res) => {
      const viewer = homeUser(ctx, req, res);
      if (!viewer) return;
      checkFormXsrf(req);
      const server = await ownNamedServer(ctx, viewer, req, 'start:servers');
      if (server.state !== 'stopped' && server.state !== 'failed') throw new HubError('bad_request', `Stop the server ${server.name} before changing its profile.`);
      const slug = (req.body as Record<string, unknown>).profile;
      if (typeof slug !== 'string' || slug === '') throw new HubError('unknown_profile', 'Choose a profile from the list.');
      const options = { ...server.userOptions, profile: slug };
      const profile = await chooseProfile(ctx, viewer.user, server.profile, options);
      await ctx.store.servers.update(server.id, { userOptions: { ...options, profile: profile.slug }, profile: profile.slug });
      res.redirect(303, `${ctx.hubPrefix}home`);
    }),
  );

  router.post(
    '/home/servers/:server/delete',
    asyncHandler(async (req, res) => {
      const viewer = homeUser(ctx, req, res);
      if (!viewer) return;
      checkFormXsrf(req);
      const server = await ownNamedServer(ctx, viewer, req, 'delete:servers');
      if (server.state !== 'stopped' && server.state !== 'failed') throw new HubError('bad_request', `Stop the server ${server.name} before deleting it.`);
      await stopServer(ctx, viewer.user, server, 'user', true);
      res.redirect(303, `${ctx.hubPrefix}home`);
    }),
  );

  return router;
}
