import { Router, type Request, type Response } from 'express';
import type { PageEnvelope } from '@clusterhub/shared';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireIdentity, requireScope } from '../auth-guard';
import { pageBody, parsePage } from '../pagination';

/**
 * JupyterHub 5+'s sharing endpoints, answered as a 6.1 hub in which sharing is off (no role
 * carries the `shares` scope): the read endpoints keep their scope checks, 404s and pagination
 * envelope and list nothing; granting, revoking and share codes are refused with 403. clusterhub
 * does not store shares.
 */
export function sharesRouter(ctx: HubContext): Router {
  const router = Router();
  const pageDefaults = { defaultLimit: ctx.config.hub.apiPageDefaultLimit, maxLimit: ctx.config.hub.apiPageMaxLimit };

  /** The empty share list, always as an envelope (JupyterHub's share lists are always paginated). */
  const emptyList = (req: Request, res: Response): void => {
    const page = parsePage(req, pageDefaults);
    res.json(pageBody(req, { ...page, envelope: true }, [], 0) as PageEnvelope<never>);
  };

  const userOr404 = async (name: string): Promise<void> => {
    if (!(await ctx.store.users.getByName(name))) throw new HubError('not_found', `No such user: ${name}.`);
  };
  const groupOr404 = async (name: string): Promise<void> => {
    if (!(await ctx.store.groups.getByName(name))) throw new HubError('not_found', `No such group: ${name}.`);
  };
  /** The server `owner/server` must exist (every user has a default server, started or not). */
  const serverOr404 = async (owner: string, server: string): Promise<void> => {
    const user = await ctx.store.users.getByName(owner);
    const exists = user !== null && (server === '' || (await ctx.store.servers.get(user.id, server)) !== null);
    if (!exists) throw new HubError('not_found', `No such server: ${owner}/${server}.`);
  };
  const sharingOff = (req: Request): never => {
    requireIdentity(req);
    throw new HubError('forbidden', 'Sharing is not enabled on this hub: no one holds the shares scope.');
  };

  // An owner's shares (or share codes): an empty list for an existing user.
  const listOfUser = asyncHandler(async (req, res) => {
    const user = param(req, 'user');
    requireScope(req, 'read:shares', { user });
    await userOr404(user);
    emptyList(req, res);
  });
  // A server's shares (or share codes): an empty list for an existing server.
  const listOfServer = asyncHandler(async (req, res) => {
    const user = param(req, 'user');
    const server = param(req, 'server');
    requireScope(req, 'read:shares', { user, server });
    await serverOr404(user, server);
    emptyList(req, res);
  });

  // Shares and share codes: reads answer, every change is refused (sharing is off). Share codes
  // have no PATCH.
  for (const kind of ['shares', 'share-codes'] as const) {
    const ofServer = [`/${kind}/:user/:server`, new RegExp(`^/${kind}/(?<user>[^/]+)/$`)];
    router.get(`/${kind}/:user`, listOfUser);
    router.get(ofServer, listOfServer);
    router.post(`/${kind}/:user`, sharingOff);
    router.delete(`/${kind}/:user`, sharingOff);
    router.post(ofServer, sharingOff);
    if (kind === 'shares') router.patch(ofServer, sharingOff);
    router.delete(ofServer, sharingOff);
  }

  // What was shared with a user or a group.
  router.get(
    '/users/:name/shared',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireScope(req, 'read:users:shares', { user: name });
      await userOr404(name);
      emptyList(req, res);
    }),
  );
  router.get(
    '/groups/:name/shared',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireScope(req, 'read:groups:shares', { group: name });
      await groupOr404(name);
      emptyList(req, res);
    }),
  );
  const noUserShare = (scope: string) =>
    asyncHandler(async (req: Request) => {
      const name = param(req, 'name');
      requireScope(req, scope, { user: name });
      throw new HubError('not_found', `No such share for user ${name} on ${param(req, 'owner')}/${param(req, 'server')}.`);
    });
  const noGroupShare = (scope: string) =>
    asyncHandler(async (req: Request) => {
      const name = param(req, 'name');
      requireScope(req, scope, { group: name });
      await groupOr404(name);
      throw new HubError('not_found', `No such share for group ${name} on ${param(req, 'owner')}/${param(req, 'server')}.`);
    });
  const userShare = ['/users/:name/shared/:owner/:server', /^\/users\/(?<name>[^/]+)\/shared\/(?<owner>[^/]+)\/$/];
  const groupShare = ['/groups/:name/shared/:owner/:server', /^\/groups\/(?<name>[^/]+)\/shared\/(?<owner>[^/]+)\/$/];
  router.get(userShare, noUserShare('read:users:shares'));
  router.delete(userShare, noUserShare('users:shares'));
  router.get(groupShare, noGroupShare('read:groups:shares'));
  router.delete(groupShare, noGroupShare('groups:shares'));

  return router;
}
