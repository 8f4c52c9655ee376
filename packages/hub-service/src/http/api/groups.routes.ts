import { Router } from 'express';
import type { JSONSchemaType } from 'ajv';
import { holdsScopeBase, isValidGroupName, scopeFilter } from '@clusterhub/shared';
import type { GroupRecord } from '../../store/store';
import { StoreConflictError } from '../../store/store';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireScope, requireIdentity } from '../auth-guard';
import { bodyValidator, jsonObject } from '../validate';
import { pageBody, parsePage } from '../pagination';
import { toGroupModel } from '../wire-models';
import { requireAnyScope } from './scope-check';

interface CreateGroupsBody {
  groups: string[];
  users?: string[];
}
const createGroups = bodyValidator<CreateGroupsBody>({
  type: 'object',
  additionalProperties: false,
  required: ['groups'],
  properties: {
    groups: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1000 },
    users: { type: 'array', items: { type: 'string' }, maxItems: 10000, nullable: true },
  },
} as JSONSchemaType<CreateGroupsBody>);

interface UsersBody {
  users?: string[];
}
const usersBody = bodyValidator<UsersBody>({
  type: 'object',
  additionalProperties: false,
  properties: { users: { type: 'array', items: { type: 'string' }, maxItems: 10000, nullable: true } },
} as JSONSchemaType<UsersBody>);

/** `/groups[/:name[/users|/properties]]` (protocol.md §5). */
export function groupsRouter(ctx: HubContext): Router {
  const router = Router();
  const pageDefaults = { defaultLimit: ctx.config.hub.apiPageDefaultLimit, maxLimit: ctx.config.hub.apiPageMaxLimit };

  const userIds = async (names: readonly string[]): Promise<number[]> => {
    const users = await ctx.store.users.getByNames(names);
    const missing = names.filter((n) => !users.some((u) => u.name === n));
    if (missing.length) throw new HubError('bad_request', `No such users: ${missing.join(', ')}.`, { details: { missing } });
    return users.map((u) => u.id);
  };
  const getGroup = async (name: string): Promise<GroupRecord> => {
    const group = await ctx.store.groups.getByName(name);
    if (!group) throw new HubError('not_found', `No such group: ${name}.`);
    return group;
  };
  const model = async (group: GroupRecord) => toGroupModel(group, await ctx.store.groups.memberNames(group.id));

  router.get(
    '/groups',
    asyncHandler(async (req, res) => {
      const viewer = requireIdentity(req);
      // Filtered list:groups (!group=g) is allowed; the result is post-filtered below.
      if (!holdsScopeBase(viewer.scopes, 'list:groups')) requireScope(req, 'list:groups');
      const page = parsePage(req, pageDefaults);
      const filter = scopeFilter(viewer.scopes, 'list:groups');
      let { items, total } = await ctx.store.groups.list(filter === 'all' ? page : { offset: 0, limit: 1_000_000 });
      if (filter !== 'all') {
        const visible = items.filter((g) => filter.groups.has(g.name));
        total = visible.length;
        items = visible.slice(page.offset, page.offset + page.limit);
      }
      const models = [];
      for (const g of items) models.push(await model(g));
      res.json(pageBody(req, page, models, total));
    }),
  );

  router.post(
    '/groups',
    asyncHandler(async (req, res) => {
      requireScope(req, 'admin:groups');
      const body = createGroups(req.body);
      const invalid = body.groups.filter((g) => !isValidGroupName(g));
      if (invalid.length) throw new HubError('invalid_name', `Invalid group names: ${invalid.join(', ')}.`);
      const members = await userIds(body.users ?? []);
      const created: GroupRecord[] = [];
      await ctx.store.transaction(async (tx) => {
        for (const name of body.groups) {
          if (await tx.groups.getByName(name)) throw new HubError('conflict', `Group ${name} already exists.`);
          const group = await tx.groups.create({ name });
          await tx.groups.addMembers(group.id, members);
          created.push(group);
        }
      });
      const models = [];
      for (const g of created) models.push(await model(g));
      res.status(201).json(models);
    }),
  );

  router.get(
    '/groups/:group',
    asyncHandler(async (req, res) => {
      const name = param(req, 'group');
      requireAnyScope(req, ['read:groups', 'read:groups:name', 'read:roles:groups'], { group: name });
      res.json(await model(await getGroup(name)));
    }),
  );

  router.post(
    '/groups/:group',
    asyncHandler(async (req, res) => {
      const name = param(req, 'group');
      requireScope(req, 'admin:groups');
      const body = usersBody(req.body ?? {});
      if (!isValidGroupName(name)) throw new HubError('invalid_name', `Invalid group name: ${JSON.stringify(name)}.`);
      const members = await userIds(body.users ?? []);
      const group = await ctx.store.transaction(async (tx) => {
        const created = await tx.groups.create({ name });
        await tx.groups.addMembers(created.id, members);
        return created;
      }).catch((err: unknown) => {
        if (err instanceof StoreConflictError) throw new HubError('conflict', `Group ${name} already exists.`);
        throw err;
      });
      res.status(201).json(await model(group));
    }),
  );

  router.delete(
    '/groups/:group',
    asyncHandler(async (req, res) => {
      const name = param(req, 'group');
      requireScope(req, 'delete:groups', { group: name });
      await ctx.store.groups.delete((await getGroup(name)).id);
      res.status(204).end();
    }),
  );

  const membership = (add: boolean) =>
    asyncHandler(async (req, res) => {
      const name = param(req, 'group');
      requireScope(req, 'groups', { group: name });
      const body = usersBody(req.body ?? {});
      if (!body.users?.length) throw new HubError('validation_failed', 'Send a non-empty users list.');
      const group = await getGroup(name);
      const ids = await userIds(body.users);
      if (add) await ctx.store.groups.addMembers(group.id, ids);
      else await ctx.store.groups.removeMembers(group.id, ids);
      res.json(await model(group));
    });
  router.post('/groups/:group/users', membership(true));
  router.delete('/groups/:group/users', membership(false));

  router.put(
    '/groups/:group/properties',
    asyncHandler(async (req, res) => {
      const name = param(req, 'group');
      requireScope(req, 'groups', { group: name });
      const body: unknown = req.body;
      const properties = jsonObject(body, 'Properties');
      const group = await getGroup(name);
      await ctx.store.groups.setProperties(group.id, properties);
      res.json(await model((await ctx.store.groups.getByName(name)) ?? group));
    }),
  );

  return router;
}
