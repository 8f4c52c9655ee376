import { Router, type Request, type Response } from 'express';
import { isValidServerName, type ProfileConfig, type ServerModel, type StopReason } from '@clusterhub/shared';
import type { ServerPatch, ServerRecord, UserRecord } from '../../store/store';
import { StoreConflictError } from '../../store/store';
import type { Identity } from '../../services/identity';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { checkProfileAccess } from '../../services/profile-access';
import { chargedGroup, chargeGroupOption } from '../../services/ledger';
import { asyncHandler, param } from '../async-handler';
import { allows } from '../auth-guard';
import { toServerModel } from '../wire-models';
import { streamProgress } from './progress-stream';
import { jsonObject } from '../validate';
import { requireAnyScope, userResource } from './scope-check';

/** Splits a start body into display name and user_options (6.x shape, or 5.x: whole body = options). */
export function parseStartBody(body: unknown): { displayName?: string; userOptions: Record<string, unknown> | null } {
  if (body === undefined || body === null) return { userOptions: null };
  const obj = jsonObject(body);
  if (!('user_options' in obj) && !('display_name' in obj)) return { userOptions: obj };
  const extra = Object.keys(obj).filter((k) => k !== 'user_options' && k !== 'display_name');
  if (extra.length) throw new HubError('unknown_field', `Unknown field "${extra[0]}" in body.`, { details: { field: extra[0] } });
  const options = obj.user_options;
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
    throw new HubError('validation_failed', 'Invalid user_options: must be an object.');
  }
  if (obj.display_name !== undefined && typeof obj.display_name !== 'string') throw new HubError('validation_failed', 'Invalid display_name: must be a string.');
  return { displayName: obj.display_name as string | undefined, userOptions: (options as Record<string, unknown> | null | undefined) ?? null };
}

/** Picks and checks the profile of a start: unknown ⇒ 400 `unknown_profile`; not allowed ⇒ 403 `profile_forbidden`. */
export async function chooseProfile(ctx: HubContext, user: UserRecord, lastProfile: string | null, userOptions: Record<string, unknown>): Promise<ProfileConfig> {
  const slug = userOptions.profile;
  if (slug !== undefined && typeof slug !== 'string') throw new HubError('validation_failed', 'Invalid user_options.profile: must be a string.');
  const profile = ctx.lifecycle.resolveProfile(slug, lastProfile);
  if (!profile) {
    const known = ctx.config.profiles.map((p) => p.slug).join(', ');
    throw new HubError('unknown_profile', `No profile named "${String(slug)}". Known profiles: ${known}.`, { details: { profile: slug } });
  }
  checkProfileAccess(profile, { name: user.name, admin: user.admin, groups: await ctx.store.groups.groupNamesOf(user.id) });
  return profile;
}

/**
 * Checks the `charge_group` of `userOptions` for a start of `profile` by `user` (PUT and PATCH,
 * which store options for a later start). Writes nothing.
 * @throws HubError `invalid_charge_group` when it is not one of the user's groups the profile lists.
 */
async function checkChargeGroup(ctx: HubContext, user: UserRecord, profile: ProfileConfig, userOptions: Record<string, unknown>): Promise<void> {
  const group = chargeGroupOption(userOptions);
  if (group !== null) chargedGroup(profile, await ctx.store.groups.groupNamesOf(user.id), { group, required: true });
}

/**
 * Checks that `name` may become a new server of `user` (named servers enabled, a valid name, under
 * the per-user limit). Writes nothing.
 */
async function checkNewServer(ctx: HubContext, user: UserRecord, name: string): Promise<void> {
  if (name === '') return;
  if (!ctx.config.hub.allowNamedServers) throw new HubError('named_servers_disabled');
  if (!isValidServerName(name)) {
    throw new HubError('invalid_server_name', `Invalid server_name ${JSON.stringify(name)}: 1–30 lowercase letters, digits and single hyphens, starting with a letter.`);
  }
  const limit = ctx.config.hub.namedServerLimitPerUser;
  const named = (await ctx.store.servers.listByUser(user.id)).filter((s) => s.name !== '');
  if (limit > 0 && named.length >= limit) throw new HubError('named_server_limit', `${user.name} already has ${named.length} named servers (limit ${limit}).`);
}

/**
 * Creates a stopped server record with its options in one transaction (PUT): a concurrent
 * creation of the same name is a 409 `conflict`.
 */
async function createStoppedServer(
  ctx: HubContext,
  user: UserRecord,
  name: string,
  displayName: string | undefined,
  configured: { userOptions: Record<string, unknown>; profile: string } | null,
): Promise<ServerRecord> {
  try {
    return await ctx.store.transaction(async (tx) => {
      const created = await tx.servers.create({ userId: user.id, name, displayName: displayName ?? name });
      return configured ? ((await tx.servers.update(created.id, configured)) ?? created) : created;
    });
  } catch (err) {
    if (err instanceof StoreConflictError) throw new HubError('conflict', `${user.name} already has a server named ${name}.`);
    throw err;
  }
}

/** Waits up to `seconds` for `done`; true when it settled successfully in time, false when still running. */
async function settledWithin(done: Promise<void>, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), seconds * 1000);
  });
  try {
    return await Promise.race([done.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a server for an API or page request and waits up to `waitSeconds` (default: the
 * slow-spawn timeout) for it; returns 'ready' or 'pending'. Pages pass 0 and show the progress page.
 * The group to charge is `user_options.charge_group` when the request names one (refused with
 * `invalid_charge_group` when not allowed); a start with the options stored from the last one
 * prefers their `charge_group` while it is allowed (docs/budgets.md).
 */
export async function startServer(
  ctx: HubContext,
  user: UserRecord,
  name: string,
  body: unknown,
  waitSeconds = ctx.config.hub.slowSpawnTimeoutSeconds,
): Promise<'ready' | 'pending'> {
  const { displayName, userOptions } = parseStartBody(body);
  const existing = await ctx.store.servers.get(user.id, name);
  if (!existing) await checkNewServer(ctx, user, name);
  else if (name !== '' && !ctx.config.hub.allowNamedServers) throw new HubError('named_servers_disabled');
  const options = userOptions ?? existing?.userOptions ?? {};
  const profile = await chooseProfile(ctx, user, existing?.profile ?? null, options);
  const server = existing ?? { userId: user.id, name, displayName: displayName ?? name };
  const group = chargeGroupOption(options);
  const chargeGroup = group === null ? null : { group, required: userOptions !== null };
  const outcome = await ctx.lifecycle.start(user, server, { profile, userOptions: { ...options, profile: profile.slug }, chargeGroup });
  if (outcome.alreadyPending) return 'pending';
  return (await settledWithin(outcome.done, waitSeconds)) ? 'ready' : 'pending';
}

/** Stops a server for an API or page request; returns 'stopped' or 'pending'. */
export async function stopServer(ctx: HubContext, user: UserRecord, server: ServerRecord, reason: StopReason, remove: boolean): Promise<'stopped' | 'pending'> {
  const done = ctx.lifecycle.stop(user, server, reason).then(async () => {
    if (remove) await ctx.store.servers.delete(server.id);
  });
  done.catch((err: unknown) => ctx.logger.error({ err: String(err) }, 'stop failed'));
  return (await settledWithin(done, ctx.config.hub.slowStopTimeoutSeconds)) ? 'stopped' : 'pending';
}

/** `/users/<name>/servers/` exactly (trailing slash, empty server name): the default server. */
const DEFAULT_SERVER_SLASH = /^\/users\/(?<name>[^/]+)\/servers\/$/;

/** The default server of a user who never started it (clusterhub creates its row at the first start). */
function neverStartedDefaultServer(user: UserRecord): ServerRecord {
  return {
    id: 0,
    userId: user.id,
    name: '',
    displayName: '',
    state: 'stopped',
    profile: null,
    userOptions: {},
    spawnerKind: null,
    backend: null,
    handle: null,
    target: null,
    started: null,
    lastActivity: null,
    stopReason: null,
    message: null,
    created: user.created,
  };
}

/** `/users/:name/server[s/:server]`: start, stop, read, progress (protocol.md §5, §6). */
export function serversRouter(ctx: HubContext): Router {
  const router = Router();

  const target = async (req: Request, scope: string): Promise<{ viewer: Identity; user: UserRecord; name: string }> => {
    const userName = param(req, 'name');
    const name = param(req, 'server');
    const viewer = requireAnyScope(req, [scope], await userResource(ctx, userName, name));
    const user = await ctx.users.get(userName);
    return { viewer, user, name };
  };

  const model = (viewer: Identity, user: UserRecord, server: ServerRecord): ServerModel =>
    toServerModel(user, server, ctx.config.hub.baseUrl, { includeState: allows(viewer, 'admin:server_state', { user: user.name, server: server.name }) });

  const start = asyncHandler(async (req: Request, res: Response) => {
    const { user, name } = await target(req, 'start:servers');
    const result = await startServer(ctx, user, name, req.body);
    res.status(result === 'ready' ? 201 : 202).type('text/plain').end();
  });
  router.post('/users/:name/server', start);
  router.post('/users/:name/servers/:server', start);
  // `/users/:name/servers/` (empty server name) is the default server, as in JupyterHub's URL table.
  router.get(DEFAULT_SERVER_SLASH, (req, res, next) => read(req, res, next));
  router.post(DEFAULT_SERVER_SLASH, (req, res, next) => start(req, res, next));

  const stop = asyncHandler(async (req: Request, res: Response) => {
    const { viewer, user, name } = await target(req, 'delete:servers');
    const body: unknown = req.body;
    // As JupyterHub: only `remove` is read; other fields of a stop body are ignored, not refused.
    const remove = body !== undefined && body !== null && jsonObject(body).remove === true;
    if (remove && name === '') throw new HubError('bad_request', 'The default server cannot be removed, only stopped.');
    if (name !== '' && !ctx.config.hub.allowNamedServers) throw new HubError('named_servers_disabled');
    const server = await ctx.store.servers.get(user.id, name);
    if (!server) {
      if (name === '') {
        res.status(204).end();
        return;
      }
      throw new HubError('not_found', `${user.name} has no server named ${name}.`);
    }
    const reason: StopReason = viewer.kind === 'user' && viewer.name === user.name ? 'user' : viewer.kind === 'service' ? 'idle' : 'admin';
    const result = await stopServer(ctx, user, server, reason, remove);
    res.status(result === 'stopped' ? 204 : 202).end();
  });
  router.delete('/users/:name/server', stop);
  router.delete('/users/:name/servers/:server', stop);
  router.delete(DEFAULT_SERVER_SLASH, (req, res, next) => stop(req, res, next));

  // GET of one server (JupyterHub 6.0+). The default server always exists for JupyterHub (it is
  // created with the user), so it has a model even before its first start.
  const read = asyncHandler(async (req: Request, res: Response) => {
    const { viewer, user, name } = await target(req, 'read:servers');
    const server = (await ctx.store.servers.get(user.id, name)) ?? (name === '' ? neverStartedDefaultServer(user) : null);
    if (!server) throw new HubError('not_found', `${user.name} has no server named ${name}.`);
    res.json(model(viewer, user, server));
  });
  router.get('/users/:name/server', read);
  router.get('/users/:name/servers/:server', read);

  router.put(
    ['/users/:name/servers/:server', DEFAULT_SERVER_SLASH],
    asyncHandler(async (req, res) => {
      const { viewer, user, name } = await target(req, 'start:servers');
      // As JupyterHub: creating the default server makes no sense, every user has one.
      if (name === '') throw new HubError('conflict', `User ${user.name} already has a default server.`);
      const { displayName, userOptions } = parseStartBody(req.body ?? {});
      if (await ctx.store.servers.get(user.id, name)) throw new HubError('conflict', `${user.name} already has a server named ${name}.`);
      await checkNewServer(ctx, user, name);
      const profile = userOptions ? await chooseProfile(ctx, user, null, userOptions) : null;
      if (userOptions && profile) await checkChargeGroup(ctx, user, profile, userOptions);
      const configured = userOptions && profile ? { userOptions: { ...userOptions, profile: profile.slug }, profile: profile.slug } : null;
      const server = await createStoppedServer(ctx, user, name, displayName, configured);
      res.status(201).json(model(viewer, user, server));
    }),
  );

  router.patch(
    '/users/:name/servers/:server',
    asyncHandler(async (req, res) => {
      const { viewer, user, name } = await target(req, 'start:servers');
      const body = jsonObject(req.body);
      const extra = Object.keys(body).filter((k) => k !== 'name' && k !== 'display_name' && k !== 'user_options');
      if (extra.length) throw new HubError('unknown_field', `Unknown field "${extra[0]}" in body.`);
      if (Object.keys(body).length === 0) throw new HubError('validation_failed', 'Send at least one of name, display_name, user_options.');
      const server = await ctx.store.servers.get(user.id, name);
      if (!server) throw new HubError('not_found', `${user.name} has no server named ${name}.`);
      if (server.state !== 'stopped' && server.state !== 'failed') throw new HubError('bad_request', `Stop ${user.name}/${name} before changing it.`);
      const patch: { -readonly [K in keyof ServerPatch]: ServerPatch[K] } = {};
      if (body.display_name !== undefined) {
        if (typeof body.display_name !== 'string') throw new HubError('validation_failed', 'Invalid display_name: must be a string.');
        patch.displayName = body.display_name;
      }
      if (body.user_options !== undefined) {
        const options = jsonObject(body.user_options, 'user_options');
        const profile = await chooseProfile(ctx, user, server.profile, options);
        await checkChargeGroup(ctx, user, profile, options);
        patch.userOptions = { ...options, profile: profile.slug };
        patch.profile = profile.slug;
      }
      if (body.name !== undefined && body.name !== name) {
        if (typeof body.name !== 'string' || name === '') throw new HubError('validation_failed', 'Invalid name: named servers only, and it must be a string.');
        if (!isValidServerName(body.name)) throw new HubError('invalid_server_name', `Invalid server_name ${JSON.stringify(body.name)}.`);
        if (await ctx.store.servers.get(user.id, body.name)) throw new HubError('conflict', `${user.name} already has a server named ${body.name}.`);
        patch.name = body.name;
      }
      const updated = (await ctx.store.servers.update(server.id, patch)) ?? server;
      res.json(model(viewer, user, updated));
    }),
  );

  const progress = asyncHandler(async (req: Request, res: Response) => {
    const { user, name } = await target(req, 'read:servers');
    const server = await ctx.store.servers.get(user.id, name);
    if (!server) throw new HubError('not_found', `${user.name} has no server named ${name}.`);
    streamProgress(ctx, req, res, user, server);
  });
  router.get('/users/:name/server/progress', progress);
  router.get('/users/:name/servers/:server/progress', progress);

  return router;
}
