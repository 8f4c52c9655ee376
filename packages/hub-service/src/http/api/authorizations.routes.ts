import { Router } from 'express';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requestAuth } from '../auth-guard';
import { toServiceModel } from '../wire-models';
import { userModels } from './users.routes';

/**
 * JupyterHub's deprecated `/authorizations/token` endpoints (protocol.md §5), still served by 6.1:
 * `GET /authorizations/token/:token` resolves a token to its owner's model (any token may ask;
 * cookies may not), `POST /authorizations/token` is a 404 since JupyterHub 2.0.
 */
export function authorizationsRouter(ctx: HubContext): Router {
  const router = Router();

  router.get(
    '/authorizations/token/:token',
    asyncHandler(async (req, res) => {
      const auth = requestAuth(req);
      // As JupyterHub's @token_authenticated: only a token may call this, never a browser cookie.
      if (!auth.identity || auth.viaCookie) throw new HubError('not_authenticated');
      // Looking the token up counts as its use (token and owner activity), as upstream records it.
      const owner = await ctx.identity.fromToken(param(req, 'token'));
      if (!owner) throw new HubError('not_found', 'No such token.');
      // The caller reads the owner's model with its own scopes plus the owner's identify scopes.
      if (owner.kind === 'service') {
        const service = ctx.config.services.find((s) => s.name === owner.name);
        if (!service) throw new HubError('not_found', 'No such token.');
        res.json(toServiceModel({ scopes: new Set([...auth.identity.scopes, `read:services:name!service=${service.name}`]) }, service));
        return;
      }
      if (!owner.user) throw new HubError('not_found', 'No such token.');
      const identify = [`read:users:name!user=${owner.name}`, `read:users:groups!user=${owner.name}`];
      const reader = { ...auth.identity, scopes: new Set([...auth.identity.scopes, ...identify]) };
      const [model] = await userModels(ctx, reader, [owner.user], false);
      res.json(model);
    }),
  );

  router.post('/authorizations/token', () => {
    throw new HubError('not_found', 'Deprecated endpoint /hub/api/authorizations/token is removed in JupyterHub 2.0. Use /hub/api/users/:user/tokens instead.');
  });

  return router;
}
