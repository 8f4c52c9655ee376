/**
 * The audit side of every request (docs/audit.md): the request runs as its caller (for events
 * recorded deeper down, such as server starts and stops), and a successful action of the REST API
 * (users, groups, tokens), of the admin page's forms or of the token page is recorded from the
 * tables below: who did what to whom, with the request's own fields that say what changed (never
 * a token or password: none is read here).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditActor } from '../services/audit-context';
import { withAuditActor } from '../services/audit-context';
import type { AuditEvent, AuditLog } from '../services/audit';
import type { HubContext } from './context';
import { requestAuth } from './auth-guard';
import { clientAddress } from './forwarded';

/** Route parameters and JSON body of a finished request. */
interface Finished {
  readonly param: (name: string) => string;
  readonly body: Record<string, unknown>;
}

/** Audited API routes: `METHOD route-pattern` → the events a success records. */
const API_ACTIONS: Readonly<Record<string, (r: Finished, actor: AuditActor) => AuditEvent[]>> = {
  'POST /users': (r) => [{ action: 'user.create', details: pick(r.body, ['usernames', 'admin']) }],
  'POST /users/:name': (r) => [{ action: 'user.create', user: r.param('name'), details: pick(r.body, ['admin']) }],
  'PATCH /users/:name': (r) => [{ action: 'user.update', user: r.param('name'), details: pick(r.body, ['name', 'admin']) }],
  'DELETE /users/:name': (r) => [{ action: 'user.delete', user: r.param('name') }],
  'POST /groups': (r) => [{ action: 'group.create', details: pick(r.body, ['groups', 'users']) }],
  'POST /groups/:group': (r) => [{ action: 'group.create', details: { group: r.param('group'), ...pick(r.body, ['users']) } }],
  'DELETE /groups/:group': (r) => [{ action: 'group.delete', details: { group: r.param('group') } }],
  'POST /groups/:group/users': (r) => members('group.members.add', r),
  'DELETE /groups/:group/users': (r) => members('group.members.remove', r),
  'PUT /groups/:group/properties': (r) => [{ action: 'group.properties.set', details: { group: r.param('group'), properties: r.body } }],
  'POST /users/:name/tokens': (r) => [{ action: 'token.create', user: r.param('name'), details: pick(r.body, ['note', 'scopes', 'roles', 'expires_in']) }],
  'DELETE /users/:name/tokens/:id': (r) => [{ action: 'token.delete', user: r.param('name'), details: { token_id: r.param('id') } }],
};

/** Audited page forms answered with a redirect on success (the token page, http/web/token.routes.ts): `METHOD route` → events. */
const PAGE_REDIRECT_ACTIONS: Readonly<Record<string, (r: Finished, actor: AuditActor) => AuditEvent[]>> = {
  'POST /token': (r, actor) => [{ action: 'token.create', user: actor.name, details: { ...pick(r.body, ['note', 'expires_in', 'scopes']), via: 'token-page' } }],
  'POST /token/revoke': (r, actor) => [{ action: 'token.delete', user: actor.name, details: { token_id: text(r.body.id), via: 'token-page' } }],
};

/** One event per member: each user sees the change of their own groups. */
function members(action: string, r: Finished): AuditEvent[] {
  const users = Array.isArray(r.body.users) ? r.body.users.filter((u): u is string => typeof u === 'string') : [];
  return users.map((user) => ({ action, user, details: { group: r.param('group') } }));
}

/** The listed fields of `body` that are present. */
function pick(body: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => Object.hasOwn(body, k)).map((k) => [k, body[k]]));
}

/** Audited actions of the admin page's forms (`/hub/admin/…`, http/web/admin.routes.ts): path → events. */
const PAGE_ACTIONS: readonly (readonly [RegExp, (r: Finished, m: RegExpExecArray) => AuditEvent[]])[] = [
  [/^\/admin\/users$/, (r) => [{ action: 'user.create', details: { usernames: lines(r.body.names), admin: r.body.admin !== undefined && r.body.admin !== '' } }]],
  [/^\/admin\/users\/[^/]+\/edit$/, (r) => [{ action: 'user.update', user: r.param('name'), details: { ...renamed(r), admin: r.body.admin !== undefined && r.body.admin !== '' } }]],
  [/^\/admin\/users\/[^/]+\/delete$/, (r) => [{ action: 'user.delete', user: r.param('name') }]],
  [/^\/admin\/groups$/, (r) => [{ action: 'group.create', details: { group: text(r.body.name) } }]],
  [/^\/admin\/groups\/[^/]+\/delete$/, (r) => [{ action: 'group.delete', details: { group: r.param('group') } }]],
  [/^\/admin\/groups\/[^/]+\/(add|remove)$/, (r, m) => [{ action: m[1] === 'add' ? 'group.members.add' : 'group.members.remove', user: text(r.body.user), details: { group: r.param('group') } }]],
];

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function lines(value: unknown): string[] {
  return [...new Set(text(value).split(/\r?\n/).map((n) => n.trim()).filter((n) => n !== ''))];
}

function renamed(r: Finished): Record<string, unknown> {
  const name = text(r.body.name);
  return name !== '' && name !== r.param('name') ? { name } : {};
}

/**
 * Records a successful action of the admin page's forms (called by its action helper once the
 * action succeeded), by the running request's caller, with `via: admin-page`. Server starts and
 * stops are recorded by the lifecycle instead.
 */
export async function recordAdminPageAction(ctx: HubContext, req: Request): Promise<void> {
  if (!ctx.audit) return;
  const finished = finishedOf(req);
  for (const [pattern, describe] of PAGE_ACTIONS) {
    const match = pattern.exec(req.path);
    if (!match) continue;
    for (const event of describe(finished, match)) await ctx.audit.record({ ...event, details: { ...event.details, via: 'admin-page' } });
    return;
  }
}

/** Route parameters and body of a request, read defensively. */
function finishedOf(req: Request): Finished {
  const params: Record<string, unknown> = { ...req.params };
  const body: unknown = req.body;
  return {
    param: (name) => (typeof params[name] === 'string' ? params[name] : ''),
    body: body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {},
  };
}

/** The caller of a request (after `authenticate`) with its client address. */
export function auditActorOf(ctx: HubContext, req: Request): AuditActor {
  const identity = requestAuth(req).identity;
  return {
    kind: identity ? identity.kind : 'anonymous',
    name: identity ? identity.name : null,
    address: clientAddress(ctx.config.hub, req),
  };
}

/**
 * Middleware (after `authenticate`): runs the rest of the request as its caller and records the
 * audited actions once they succeeded: the REST API's (`api: true`, a 2xx answer) or the token
 * page's (`api: false`, the 303 that follows a success).
 */
export function auditRequests(ctx: HubContext, audit: AuditLog | undefined, opts: { api: boolean }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const actor = auditActorOf(ctx, req);
    if (audit && req.method !== 'GET' && req.method !== 'HEAD') {
      res.on('finish', () => {
        const route: unknown = (req.route as { path?: unknown } | undefined)?.path;
        const key = typeof route === 'string' ? `${req.method} ${route}` : '';
        const succeeded = opts.api ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === 303;
        const describe = opts.api ? API_ACTIONS[key] : PAGE_REDIRECT_ACTIONS[key];
        if (!succeeded || !describe) return;
        const finished = finishedOf(req);
        void withAuditActor(actor, async () => {
          for (const event of describe(finished, actor)) await audit.record(event);
        });
      });
    }
    withAuditActor(actor, () => next());
  };
}
