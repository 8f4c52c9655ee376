import { Router, type Request } from 'express';
import type { JSONSchemaType } from 'ajv';
import { holdsScopeBase, isValidUserName, scopeFilter, type UserModel } from '@clusterhub/shared';
import type { UserRecord, UserSort, UserStateFilter } from '../../store/store';
import type { Identity } from '../../services/identity';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireIdentity, requireScope, allows } from '../auth-guard';
import { bodyValidator } from '../validate';
import { requireAnyScope, userResource } from './scope-check';
import { pageBody, parsePage } from '../pagination';
import { toUserModel } from '../wire-models';

const STATES: readonly UserStateFilter[] = ['active', 'ready', 'inactive'];
const SORTS: readonly UserSort[] = ['id', 'name', 'last_activity', '-id', '-name', '-last_activity'];
const READ_USER_SCOPES = ['read:users', 'read:users:name', 'read:servers', 'read:users:groups', 'read:users:activity', 'read:roles:users'];

interface CreateUsersBody {
  usernames: string[];
  admin?: boolean;
}
const createUsers = bodyValidator<CreateUsersBody>({
  type: 'object',
  additionalProperties: false,
  required: ['usernames'],
  properties: { usernames: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 10000 }, admin: { type: 'boolean', nullable: true } },
} as JSONSchemaType<CreateUsersBody>);

interface CreateUserBody {
  admin?: boolean;
}
const createUser = bodyValidator<CreateUserBody>({
  type: 'object',
  additionalProperties: false,
  properties: { admin: { type: 'boolean', nullable: true } },
} as JSONSchemaType<CreateUserBody>);

interface PatchUserBody {
  name?: string;
  admin?: boolean;
}
const patchUser = bodyValidator<PatchUserBody>({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  // Not nullable: `{"admin": null}` or `{"name": null}` is a 400, never a null written to the store.
  properties: { name: { type: 'string' }, admin: { type: 'boolean' } },
} as JSONSchemaType<PatchUserBody>);

function flag(req: Request, name: string): boolean {
  const v = req.query[name];
  // As upstream: present (even empty, `?include_stopped_servers`) means true unless 0/false.
  return typeof v === 'string' && v !== '0' && v.toLowerCase() !== 'false';
}

/** Builds user models for many users with one query for their servers and one for their groups. */
export async function userModels(ctx: HubContext, viewer: Identity, users: readonly UserRecord[], includeStopped: boolean): Promise<UserModel[]> {
  const ids = users.map((u) => u.id);
  const servers = await ctx.store.servers.listByUsers(ids);
  const groupsOf = await ctx.store.groups.groupNamesOfUsers(ids);
  const models: UserModel[] = [];
  for (const user of users) {
    const groups = groupsOf.get(user.id) ?? [];
    models.push(toUserModel(viewer, user, { servers: servers.filter((s) => s.userId === user.id), groups }, { baseUrl: ctx.config.hub.baseUrl, includeStopped }));
  }
  return models;
}

/** `/users` and `/users/:name` (protocol.md §5). */
export function usersRouter(ctx: HubContext): Router {
  const router = Router();
  const pageDefaults = { defaultLimit: ctx.config.hub.apiPageDefaultLimit, maxLimit: ctx.config.hub.apiPageMaxLimit };

  router.get(
    '/users',
    asyncHandler(async (req, res) => {
      const viewer = requireIdentity(req);
      // Filtered list:users (e.g. !user=alice, !group=g) is allowed; the result is post-filtered below.
      if (!holdsScopeBase(viewer.scopes, 'list:users')) requireScope(req, 'list:users');
      const stateRaw = req.query.state;
      if (stateRaw !== undefined && (typeof stateRaw !== 'string' || !STATES.includes(stateRaw as UserStateFilter))) {
        throw new HubError('invalid_query', `state must be one of ${STATES.join(', ')}.`);
      }
      const sortRaw = req.query.sort;
      if (sortRaw !== undefined && (typeof sortRaw !== 'string' || !SORTS.includes(sortRaw as UserSort))) {
        throw new HubError('invalid_query', `sort must be one of ${SORTS.join(', ')}.`);
      }
      const nameFilter = typeof req.query.name_filter === 'string' ? req.query.name_filter : undefined;
      const page = parsePage(req, pageDefaults);
      const query = { state: stateRaw as UserStateFilter | undefined, sort: sortRaw as UserSort | undefined, nameFilter };
      const filter = scopeFilter(viewer.scopes, 'list:users');
      let items: UserRecord[];
      let total: number;
      if (filter === 'all') {
        ({ items, total } = await ctx.store.users.list({ ...query, offset: page.offset, limit: page.limit }));
      } else {
        const all = await ctx.store.users.list({ ...query, offset: 0, limit: 1_000_000 });
        const groupsOf = filter.groups.size ? await ctx.store.groups.groupNamesOfUsers(all.items.map((u) => u.id)) : new Map<number, string[]>();
        const visible: UserRecord[] = [];
        for (const user of all.items) {
          const groups = groupsOf.get(user.id) ?? [];
          if (filter.users.has(user.name) || groups.some((g) => filter.groups.has(g))) visible.push(user);
        }
        total = visible.length;
        items = visible.slice(page.offset, page.offset + page.limit);
      }
      res.json(pageBody(req, page, await userModels(ctx, viewer, items, flag(req, 'include_stopped_servers')), total));
    }),
  );

  router.post(
    '/users',
    asyncHandler(async (req, res) => {
      requireScope(req, 'admin:users');
      const body = createUsers(req.body);
      const names = [...new Set(body.usernames)];
      const invalid = names.filter((n) => !isValidUserName(n));
      if (invalid.length) throw new HubError('invalid_name', `Invalid user names: ${invalid.map((n) => JSON.stringify(n)).join(', ')}.`);
      const existing = new Set((await ctx.store.users.getByNames(names)).map((u) => u.name));
      const created: UserRecord[] = [];
      await ctx.store.transaction(async (tx) => {
        for (const name of names) {
          if (existing.has(name)) continue;
          created.push(await tx.users.create({ name, admin: body.admin ?? false }));
        }
      });
      if (created.length === 0) throw new HubError('conflict', `All of these users already exist: ${names.join(', ')}.`);
      res.status(201).json(await userModels(ctx, requireIdentity(req), created, false));
    }),
  );

  router.get(
    '/users/:name',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      const viewer = requireIdentity(req);
      // One snapshot (memoised until the store changes) for the scope check and the model.
      const snapshot = await ctx.users.snapshot(name);
      requireAnyScope(req, READ_USER_SCOPES, { user: name, userGroups: snapshot?.groups ?? [] });
      if (!snapshot) throw new HubError('not_found', `No such user: ${name}.`);
      const { user, groups, servers } = snapshot;
      res.json(toUserModel(viewer, user, { servers, groups }, { baseUrl: ctx.config.hub.baseUrl, includeStopped: flag(req, 'include_stopped_servers') }));
    }),
  );

  router.post(
    '/users/:name',
    asyncHandler(async (req, res) => {
      requireScope(req, 'admin:users');
      const body = createUser(req.body ?? {});
      const user = await ctx.users.create(param(req, 'name'), { admin: body.admin });
      res.status(201).json((await userModels(ctx, requireIdentity(req), [user], false))[0]);
    }),
  );

  router.patch(
    '/users/:name',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      const viewer = requireAnyScope(req, ['admin:users'], await userResource(ctx, name));
      const body = patchUser(req.body ?? {});
      const user = await ctx.users.get(name);
      // Upstream answers 400 (not 409) when the new name is taken (protocol.md §5).
      if (body.name !== undefined && body.name !== user.name && (await ctx.store.users.getByName(body.name))) {
        throw new HubError('bad_request', `User ${body.name} already exists, user names must be unique.`);
      }
      if (body.admin !== undefined && !allows(viewer, 'admin:users')) throw new HubError('forbidden', 'Only admins may change the admin flag.');
      const updated = await ctx.users.update(user, body);
      res.json((await userModels(ctx, viewer, [updated], false))[0]);
    }),
  );

  router.delete(
    '/users/:name',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      const viewer = requireAnyScope(req, ['delete:users'], await userResource(ctx, name));
      const user = await ctx.users.get(name);
      if (viewer.kind === 'user' && viewer.name === user.name) throw new HubError('cannot_delete_self');
      await ctx.users.delete(user);
      res.status(204).end();
    }),
  );

  return router;
}
