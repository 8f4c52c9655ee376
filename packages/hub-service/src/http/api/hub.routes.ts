import { Router } from 'express';
import { quotePath, resourceEnforcement, scopeFilter, type IdentityModel, type ProfileBatchModel, type ProfileCapacityModel, type ProfileConfig, type ProfileModel, type ServiceIdentityModel } from '@clusterhub/shared';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { profileAccess } from '../../services/profile-access';
import { asyncHandler } from '../async-handler';
import { requireIdentity, requireScope, requestAuth } from '../auth-guard';
import { pageBody, parsePage } from '../pagination';
import { userModels } from './users.routes';
import { jsonObject } from '../validate';
import { toServiceModel, wireUserInfo } from '../wire-models';
import { backendKindOf } from '../../config/backends';

/** The API root, `info`, `user` (identity), `proxy` and clusterhub's `profiles`. */
export function hubRouter(ctx: HubContext, meta: { serverVersion: string }): Router {
  const router = Router();

  router.get(['/', ''], (_req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.json({ version: ctx.config.hub.version });
  });

  router.get('/info', (req, res) => {
    requireScope(req, 'read:hub');
    res.json({
      version: ctx.config.hub.version,
      clusterhub_version: meta.serverVersion,
      python: null,
      sys_executable: process.execPath,
      authenticator: { class: `clusterhub.${ctx.authenticator.kind}`, version: meta.serverVersion },
      spawner: { class: `clusterhub.${ctx.config.spawner.kind}`, version: meta.serverVersion },
    });
  });

  router.get(
    '/user',
    asyncHandler(async (req, res) => {
      const auth = requestAuth(req);
      const identity = auth.identity;
      if (!identity) throw new HubError('not_authenticated');
      const scopes = [...identity.scopes].sort();
      if (identity.kind === 'service') {
        const service = ctx.config.services.find((s) => s.name === identity.name);
        if (!service) throw new HubError('not_authenticated');
        // As JupyterHub: the model is read with the token's scopes plus the service's identify scope.
        const reader = { scopes: new Set([...identity.scopes, `read:services:name!service=${service.name}`]) };
        const model: ServiceIdentityModel = { ...toServiceModel(reader, service), scopes, token_id: null, session_id: null };
        res.json(model);
        return;
      }
      const user = identity.user;
      if (!user) throw new HubError('not_authenticated');
      const [base] = await userModels(ctx, identity, [user], false);
      const model: IdentityModel = {
        ...base,
        kind: 'user',
        name: user.name,
        admin: base?.admin ?? user.admin,
        groups: base?.groups ?? [...identity.groups],
        user_info: wireUserInfo(user),
        scopes,
        token_id: identity.token ? `a${identity.token.id}` : null,
        session_id: identity.sessionId,
      };
      res.json(model);
    }),
  );

  router.get(
    '/proxy',
    asyncHandler(async (req, res) => {
      requireScope(req, 'proxy');
      const page = parsePage(req, { defaultLimit: ctx.config.hub.apiPageDefaultLimit, maxLimit: ctx.config.hub.apiPageMaxLimit });
      // The proxies keep routespecs unescaped; JupyterHub shows them percent-quoted (`/user/ann%20smith/`).
      const routes = [...(await ctx.routes.allRoutes()).values()]
        .map((r) => ({ routespec: quotePath(r.routespec), target: r.target, data: r.data }))
        .sort((a, b) => a.routespec.localeCompare(b.routespec));
      const slice = routes.slice(page.offset, page.offset + page.limit).map((r) => [r.routespec, r] as const);
      if (page.envelope) res.json(pageBody(req, page, slice.map(([, v]) => v), routes.length));
      else res.json(Object.fromEntries(slice));
    }),
  );

  router.post(
    '/proxy',
    asyncHandler(async (req, res) => {
      requireScope(req, 'proxy');
      await ctx.checkRoutes();
      res.status(200).end();
    }),
  );

  router.patch(
    '/proxy',
    asyncHandler(async (req, res) => {
      requireScope(req, 'proxy');
      // JupyterHub: a JSON object is required; `api_url`/`auth_token` re-point the hub at a new
      // proxy, then the routes are synced. clusterhub's proxy is set in the config file, so a
      // request to move it is refused instead of being silently ignored.
      if (req.body === undefined) throw new HubError('validation_failed', 'Send a JSON object (need JSON body).');
      const body = jsonObject(req.body, 'Request body');
      const moving = ['api_url', 'auth_token'].filter((k) => k in body);
      if (moving.length) {
        throw new HubError('bad_request', `This hub's proxy cannot be re-pointed at run time (${moving.join(', ')}); set proxy in the config file and restart.`, {
          details: { fields: moving },
        });
      }
      await ctx.checkRoutes();
      res.status(200).end();
    }),
  );

  router.get('/services', (req, res) => {
    const viewer = requireScope(req, 'list:services');
    const filter = scopeFilter(viewer.scopes, 'list:services');
    const visible = ctx.config.services.filter((s) => filter === 'all' || filter.services.has(s.name));
    res.json(Object.fromEntries(visible.map((s) => [s.name, toServiceModel(viewer, s)])));
  });

  router.get('/services/:service', (req, res) => {
    const name = String(req.params.service);
    const viewer = requireScope(req, 'read:services', { service: name });
    const service = ctx.config.services.find((s) => s.name === name);
    if (!service) throw new HubError('not_found', `No such service: ${name}.`);
    res.json(toServiceModel(viewer, service));
  });

  router.get(
    '/clusterhub/profiles',
    asyncHandler(async (req, res) => {
      const identity = requireIdentity(req);
      const user = identity.user;
      const accessOf = (p: ProfileConfig) => (user ? profileAccess(p, { name: user.name, admin: user.admin, groups: identity.groups }) : null);
      const open = ctx.config.profiles.filter((p) => accessOf(p)?.allowed === true);
      const [batch, free] = await Promise.all([
        user && ctx.batch ? ctx.batch.capacity.forProfiles(open, user.name) : new Map<string, ProfileBatchModel>(),
        ctx.backends ? ctx.backends.capacities(open) : new Map<string, ProfileCapacityModel>(),
      ]);
      const models: ProfileModel[] = ctx.config.profiles.map((p) => {
        const access = accessOf(p);
        const capacity = batch.get(p.slug);
        const cluster = free.get(p.slug);
        return {
          ...p,
          allowed: access?.allowed ?? false,
          ...(access && !access.allowed ? { reason: access.reason } : {}),
          notApplied: [...(resourceEnforcement(backendKindOf(ctx.config, p), p)?.notApplied ?? [])],
          ...(capacity ? { batch: capacity } : {}),
          ...(cluster ? { capacity: cluster } : {}),
        };
      });
      res.json(models);
    }),
  );

  return router;
}
