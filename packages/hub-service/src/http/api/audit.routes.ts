import { Router, type Request, type Response } from 'express';
import { holdsScopeBase, type AuditPageModel } from '@clusterhub/shared';
import type { AuditQuery } from '../../store/audit-repository';
import { auditEventJson, type AuditLog } from '../../services/audit';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler } from '../async-handler';
import { allows, requireIdentity } from '../auth-guard';
import { userResource } from './scope-check';

/** Most events one page may hold. */
export const AUDIT_MAX_LIMIT = 1000;

/** Events per page when `limit` is not given. */
export const AUDIT_DEFAULT_LIMIT = 100;

/** Query parameters the endpoint knows. */
const KNOWN_PARAMS: ReadonlySet<string> = new Set(['user', 'action', 'since', 'until', 'limit', 'offset', '_xsrf']);

/** A dotted, lowercase action name (`server`, `server.stop`, `group.members.add`). */
const ACTION_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/** An ISO 8601 date, or date-time with a zone. */
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `GET /clusterhub/audit?user=&action=&since=&until=&limit=&offset=` (docs/audit.md): events,
 * newest first, as `{ items, total, offset, limit }`.
 * - `admin:users` (unfiltered) sees every event; with a `user` it sees those about or by that user.
 * - `admin:users` on the user named by `user` (e.g. `!group=` filtered) sees that user's events.
 * - A user sees their own events (about or by them) with `read:users` on themselves (every user's
 *   default role; a token restricted to fewer scopes cannot).
 * - Another user's events without `admin:users` on them: 404 when the caller holds `admin:users`
 *   or `read:users` on someone, 403 when on nobody. Bad values: 400 `invalid_query` naming the
 *   parameter in `details.param`.
 */
export function auditRouter(ctx: HubContext, audit: AuditLog): Router {
  const router = Router();
  router.get(
    '/clusterhub/audit',
    asyncHandler(async (req: Request, res: Response) => {
      const identity = requireIdentity(req);
      const query = parseQuery(req);
      let user = query.user;
      if (user === undefined) {
        if (!allows(identity, 'admin:users')) {
          if (identity.kind !== 'user') throw new HubError('forbidden', 'Action is not authorized with current scopes; requires admin:users.');
          user = identity.name;
        }
      }
      if (user !== undefined) {
        const resource = await userResource(ctx, user);
        const self = identity.kind === 'user' && identity.name === user && allows(identity, 'read:users', resource);
        if (!self && !allows(identity, 'admin:users', resource)) {
          if (holdsScopeBase(identity.scopes, 'admin:users') || holdsScopeBase(identity.scopes, 'read:users')) throw new HubError('not_found');
          throw new HubError('forbidden', 'Action is not authorized with current scopes; requires admin:users, or read:users on yourself.');
        }
      }
      const page = await audit.list({ ...query, user });
      res.setHeader('Cache-Control', 'no-store');
      const body: AuditPageModel = { items: page.items.map(auditEventJson), total: page.total, offset: query.offset, limit: query.limit };
      res.json(body);
    }),
  );
  return router;
}

/** Parses and checks the query; every bad value is 400 `invalid_query` naming its parameter. */
function parseQuery(req: Request): AuditQuery {
  for (const name of Object.keys(req.query)) {
    if (!KNOWN_PARAMS.has(name)) bad(name, `Invalid query: unknown parameter ${JSON.stringify(name)}; known: user, action, since, until, limit, offset.`);
  }
  const user = single(req, 'user');
  const action = single(req, 'action');
  if (action !== undefined && !ACTION_PATTERN.test(action)) bad('action', `Invalid query: action=${JSON.stringify(action)} is not an action name (lowercase words joined by dots, e.g. server.stop).`);
  const since = dateParam(req, 'since');
  const until = dateParam(req, 'until');
  if (since && until && since.getTime() >= until.getTime()) bad('since', 'Invalid query: since must be before until.');
  const limit = intParam(req, 'limit', 1, AUDIT_MAX_LIMIT) ?? AUDIT_DEFAULT_LIMIT;
  const offset = intParam(req, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  return { user, action, since, until, limit, offset };
}

function bad(param: string, message: string): never {
  throw new HubError('invalid_query', message, { details: { param } });
}

/** An optional parameter given at most once, not empty. */
function single(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') bad(name, `Invalid query: ${name} must be given once, not empty.`);
  return value;
}

/** An optional ISO 8601 date (midnight UTC) or date-time with a zone. */
function dateParam(req: Request, name: string): Date | undefined {
  const value = single(req, name);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!DATE_PATTERN.test(value) || Number.isNaN(date.getTime())) {
    bad(name, `Invalid query: ${name}=${JSON.stringify(value)} is not an ISO 8601 date or date-time with a zone (e.g. 2026-11-01 or 2026-11-01T00:00:00Z).`);
  }
  return date;
}

/** An optional decimal integer in `[min, max]`. */
function intParam(req: Request, name: string, min: number, max: number): number | undefined {
  const value = single(req, name);
  if (value === undefined) return undefined;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) bad(name, `Invalid query: ${name}=${JSON.stringify(value)} must be an integer from ${min} to ${max}.`);
  return n;
}
