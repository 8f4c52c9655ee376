import { Router, type Request, type Response } from 'express';
import { isValidUserName, serverPrefix } from '@clusterhub/shared';
import type { GroupRecord, UserRecord } from '../../store/store';
import { StoreConflictError } from '../../store/store';
import type { Identity } from '../../services/identity';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { allows } from '../auth-guard';
import { checkFormXsrf, ensureXsrf } from '../browser-session';
import { startServer, stopServer } from '../api/servers.routes';
import { renderAdmin, type AdminGroupRow, type AdminUserRow } from '../pages/admin';
import { pageUser } from './servers.routes';
import { FlashStore } from './flash';
import { secureCookies } from '../forwarded';
import { recordAdminPageAction } from '../audit-requests';
import type { BudgetAdmin } from '../../services/budget-admin';
import { addBudgetForms, budgetSection } from './admin-budgets.routes';

/** The admin page lists at most this many users (JupyterHub pages its list too). */
export const ADMIN_PAGE_USERS = 500;
/** Cookie that points at the one-time result of the last admin action. */
export const ADMIN_FLASH_COOKIE = 'clusterhub-admin-flash';
/** At most this many names in one "Add users" form. */
const MAX_NEW_USERS = 100;

/** The one-time outcome of an admin action, shown after the redirect. */
interface Outcome {
  readonly notice?: string;
  readonly error?: string;
}

/** A text field of the form, trimmed; `''` when absent. */
function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * `{hub}admin`: the admin page and its forms (pages/admin.ts). Viewing needs `admin-ui` (others
 * get a 403 page); each action checks its own scope as the REST API does (`admin:users`,
 * `delete:users`, `servers`, `admin:groups`) and goes through the same services. Every action
 * answers with a redirect to the page, which shows what happened once. With `budgets` (hubs with
 * a ledger), the page has a budgets section and its forms (admin-budgets.routes.ts).
 */
export function adminPageRouter(ctx: HubContext, budgets?: BudgetAdmin): Router {
  const router = Router();
  const flash = new FlashStore<Outcome>({ cookie: ADMIN_FLASH_COOKIE, path: `${ctx.hubPrefix}admin`, clock: ctx.clock, secure: (req) => secureCookies(ctx.config.hub, req) });
  const base = ctx.config.hub.baseUrl;

  /** The signed-in admin, or null after a login redirect; 403 without `admin-ui`. */
  const adminViewer = (req: Request, res: Response): (Identity & { user: UserRecord }) | null => {
    const viewer = pageUser(ctx, req, res);
    if (!viewer?.user) return null;
    if (!allows(viewer, 'admin-ui')) throw new HubError('forbidden', 'The admin page is for administrators.');
    return viewer as Identity & { user: UserRecord };
  };

  const need = (viewer: Identity, scope: string, resource: { user?: string; server?: string; group?: string } = {}): void => {
    if (!allows(viewer, scope, { ...resource, userGroups: [] })) throw new HubError('forbidden', `You need the ${scope} permission for this.`);
  };

  /** Runs a form action: XSRF, then `act`; its notice, or the refusal of a 4xx HubError, is shown after the redirect. */
  const action = (act: (viewer: Identity & { user: UserRecord }, req: Request) => Promise<string>) =>
    asyncHandler(async (req, res) => {
      const viewer = adminViewer(req, res);
      if (!viewer) return;
      checkFormXsrf(req);
      let outcome: Outcome;
      try {
        outcome = { notice: await act(viewer, req) };
        await recordAdminPageAction(ctx, req);
      } catch (err) {
        if (!(err instanceof HubError) || err.status >= 500) throw err;
        outcome = { error: err.message };
      }
      flash.put(req, res, viewer.user.id, outcome);
      res.redirect(303, `${ctx.hubPrefix}admin`);
    });

  router.get(
    '/admin',
    asyncHandler(async (req, res) => {
      const viewer = adminViewer(req, res);
      if (!viewer) return;
      const { items, total } = await ctx.store.users.list({ offset: 0, limit: ADMIN_PAGE_USERS, sort: 'name' });
      const ids = items.map((u) => u.id);
      const servers = await ctx.store.servers.listByUsers(ids);
      const groupsOf = await ctx.store.groups.groupNamesOfUsers(ids);
      const profileNames = new Map(ctx.config.profiles.map((p) => [p.slug, p.displayName]));
      const users: AdminUserRow[] = items.map((u) => ({
        name: u.name,
        admin: u.admin,
        lastActivity: u.lastActivity?.toISOString() ?? null,
        groups: groupsOf.get(u.id) ?? [],
        servers: servers
          .filter((s) => s.userId === u.id)
          .map((s) => ({
            name: s.name,
            state: s.state,
            profileName: s.profile ? (profileNames.get(s.profile) ?? s.profile) : null,
            lastActivity: s.lastActivity?.toISOString() ?? null,
            url: serverPrefix(u.name, s.name, base),
          })),
      }));
      const groups: AdminGroupRow[] = [];
      for (const g of (await ctx.store.groups.list({ offset: 0, limit: ADMIN_PAGE_USERS })).items) {
        groups.push({ name: g.name, members: await ctx.store.groups.memberNames(g.id) });
      }
      const budgetView = budgets ? await budgetSection(budgets, items.map((u) => u.name)) : undefined;
      const outcome = flash.take(req, res, viewer.user.id) ?? {};
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(
        renderAdmin({
          baseHubUrl: ctx.hubPrefix,
          user: { name: viewer.user.name, admin: viewer.user.admin },
          xsrf: ensureXsrf(ctx, req, res),
          users,
          totalUsers: total,
          groups,
          budgets: budgetView,
          ...outcome,
        }),
      );
    }),
  );

  router.post(
    '/admin/users',
    action(async (viewer, req) => {
      need(viewer, 'admin:users');
      const names = [...new Set(field(req, 'names').split(/\r?\n/).map((n) => n.trim()).filter((n) => n !== ''))];
      if (names.length === 0) throw new HubError('invalid_name', 'Give at least one user name.');
      if (names.length > MAX_NEW_USERS) throw new HubError('validation_failed', `Add at most ${MAX_NEW_USERS} users at a time.`);
      const admin = field(req, 'admin') !== '';
      const created: string[] = [];
      const existing: string[] = [];
      for (const name of names) {
        try {
          created.push((await ctx.users.create(name, { admin })).name);
        } catch (err) {
          if (!(err instanceof HubError && err.code === 'conflict')) throw err;
          existing.push(name);
        }
      }
      return `Added ${created.length === 0 ? 'nobody' : created.join(', ')}.${existing.length === 0 ? '' : ` Already there: ${existing.join(', ')}.`}`;
    }),
  );

  router.post(
    '/admin/users/:name/edit',
    action(async (viewer, req) => {
      const name = param(req, 'name');
      need(viewer, 'admin:users', { user: name });
      const user = await ctx.users.get(name);
      const newName = field(req, 'name') || user.name;
      const admin = field(req, 'admin') !== '';
      if (user.id === viewer.user.id && !admin) throw new HubError('bad_request', 'You cannot remove your own admin rights.');
      const updated = await ctx.users.update(user, { name: newName, admin });
      return `Saved ${updated.name}${updated.name === user.name ? '' : ` (was ${user.name})`}${updated.admin ? ', an administrator' : ''}.`;
    }),
  );

  router.post(
    '/admin/users/:name/delete',
    action(async (viewer, req) => {
      const name = param(req, 'name');
      need(viewer, 'delete:users', { user: name });
      const user = await ctx.users.get(name);
      if (user.id === viewer.user.id) throw new HubError('cannot_delete_self');
      await ctx.users.delete(user);
      return `Deleted ${user.name}.`;
    }),
  );

  router.post(
    '/admin/servers/start',
    action(async (viewer, req) => {
      const name = field(req, 'user');
      const server = field(req, 'server');
      need(viewer, 'start:servers', { user: name, server });
      const user = await ctx.users.get(name);
      const outcome = await startServer(ctx, user, server, undefined, 0).catch((err: unknown) => {
        if (err instanceof HubError && err.code === 'spawn_failed') return 'failed' as const;
        throw err;
      });
      return outcome === 'failed' ? `The server of ${user.name} failed to start.` : `Starting the server of ${user.name}${server === '' ? '' : ` (${server})`}.`;
    }),
  );

  router.post(
    '/admin/servers/stop',
    action(async (viewer, req) => {
      const name = field(req, 'user');
      const serverName = field(req, 'server');
      need(viewer, 'delete:servers', { user: name, server: serverName });
      const user = await ctx.users.get(name);
      const server = await ctx.store.servers.get(user.id, serverName);
      if (!server) throw new HubError('not_found', `${user.name} has no server named ${serverName || '(default)'}.`);
      const result = await stopServer(ctx, user, server, 'admin', false);
      return `${result === 'stopped' ? 'Stopped' : 'Stopping'} the server of ${user.name}${serverName === '' ? '' : ` (${serverName})`}.`;
    }),
  );

  router.post(
    '/admin/stop-all',
    action(async (viewer) => {
      need(viewer, 'admin:servers');
      let count = 0;
      for (const server of await ctx.store.servers.listActive()) {
        const user = await ctx.store.users.getById(server.userId);
        if (!user) continue;
        await stopServer(ctx, user, server, 'admin', false);
        count += 1;
      }
      return count === 0 ? 'No server was running.' : `Stopping ${count} server${count === 1 ? '' : 's'}.`;
    }),
  );

  router.post(
    '/admin/groups',
    action(async (viewer, req) => {
      need(viewer, 'admin:groups');
      const name = field(req, 'name');
      if (!isValidUserName(name)) throw new HubError('invalid_name', `Invalid group name: ${JSON.stringify(name)}.`);
      try {
        await ctx.store.groups.create({ name });
      } catch (err) {
        if (err instanceof StoreConflictError) throw new HubError('conflict', `Group ${name} already exists.`);
        throw err;
      }
      return `Created group ${name}.`;
    }),
  );

  const group = async (req: Request): Promise<GroupRecord> => {
    const name = param(req, 'group');
    const found = await ctx.store.groups.getByName(name);
    if (!found) throw new HubError('not_found', `No such group: ${name}.`);
    return found;
  };

  router.post(
    '/admin/groups/:group/delete',
    action(async (viewer, req) => {
      need(viewer, 'delete:groups', { group: param(req, 'group') });
      const g = await group(req);
      await ctx.store.groups.delete(g.id);
      return `Deleted group ${g.name}.`;
    }),
  );

  router.post(
    ['/admin/groups/:group/add', '/admin/groups/:group/remove'],
    action(async (viewer, req) => {
      need(viewer, 'groups', { group: param(req, 'group') });
      const g = await group(req);
      const user = await ctx.users.get(field(req, 'user'));
      if (req.path.endsWith('/add')) {
        await ctx.store.groups.addMembers(g.id, [user.id]);
        return `Added ${user.name} to ${g.name}.`;
      }
      await ctx.store.groups.removeMembers(g.id, [user.id]);
      return `Removed ${user.name} from ${g.name}.`;
    }),
  );

  if (budgets) addBudgetForms(router, budgets, { action, need });

  return router;
}
