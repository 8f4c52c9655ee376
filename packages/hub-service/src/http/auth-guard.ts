import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { hasScope, holdsScopeBase, type ScopeResource } from '@clusterhub/shared';
import type { Identity } from '../services/identity';
import { HubError } from '../errors';
import { LOGIN_COOKIE } from './session-cookie';
import { bindXsrf, requireXsrfToken } from './xsrf';
import type { HubContext } from './context';

/** How a request authenticated. */
export interface RequestAuth {
  readonly identity: Identity | null;
  /** True when the identity came from the hub login cookie (then XSRF applies to API calls). */
  readonly viaCookie: boolean;
  /** True when an Authorization header was present but invalid. */
  readonly badToken: boolean;
}

const authOf = new WeakMap<Request, RequestAuth>();

/** The authentication of a request (set by {@link authenticate}). */
export function requestAuth(req: Request): RequestAuth {
  return authOf.get(req) ?? { identity: null, viaCookie: false, badToken: false };
}

/** The authenticated identity or a 403 `not_authenticated`. */
export function requireIdentity(req: Request): Identity {
  const identity = requestAuth(req).identity;
  if (!identity) throw new HubError('not_authenticated');
  return identity;
}

/** Cookies of a request. */
export function cookiesOf(req: Request): Record<string, string | undefined> {
  return parseCookies(req.headers.cookie ?? '');
}

/** Extracts the token of `Authorization: token|bearer <t>` (case-insensitive); null if absent; '' if malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/**
 * Middleware: resolves the Authorization header (tokens) or the hub login cookie into an
 * identity. Never rejects by itself; handlers call {@link requireIdentity}/{@link requireScope}.
 */
export function authenticate(ctx: HubContext): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    void (async () => {
      const raw = bearerToken(req.headers.authorization);
      if (raw !== null) {
        const identity = raw ? await ctx.identity.fromToken(raw) : null;
        authOf.set(req, { identity, viaCookie: false, badToken: identity === null });
        bindXsrf(ctx, req, null);
        return;
      }
      const session = ctx.sessions.decode(cookiesOf(req)[LOGIN_COOKIE], ctx.clock());
      const identity = session ? await ctx.identity.fromSession(session.u, session.s) : null;
      if (session) authOf.set(req, { identity, viaCookie: identity !== null, badToken: false });
      bindXsrf(ctx, req, identity);
    })().then(() => next(), next);
  };
}

/**
 * XSRF check for cookie-authenticated API requests (all methods but HEAD/OPTIONS, GET included,
 * protocol.md §1.2): the `X-XSRFToken` (or `X-CSRFToken`) header or `_xsrf` query value must be a
 * token the hub signed for this browser session (http/xsrf.ts). Token-authenticated calls (the Lab
 * extension sends `Authorization: token …`) need none.
 */
export function checkXsrf(req: Request): void {
  const auth = requestAuth(req);
  if (!auth.viaCookie || req.method === 'HEAD' || req.method === 'OPTIONS') return;
  const first = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  requireXsrfToken(req, first(req.headers['x-xsrftoken']) ?? first(req.headers['x-csrftoken']) ?? first(req.query._xsrf));
}

/**
 * Checks that the caller holds `scope` for `resource`: no identity ⇒ 403 `not_authenticated`;
 * the scope held for other resources only ⇒ 404 (hides existence); not held at all ⇒ 403 `forbidden`.
 */
export function requireScope(req: Request, scope: string, resource?: ScopeResource): Identity {
  const identity = requireIdentity(req);
  if (hasScope(identity.scopes, scope, resource)) return identity;
  if (resource && holdsScopeBase(identity.scopes, scope)) throw new HubError('not_found');
  throw new HubError('forbidden', `Action is not authorized with current scopes; requires ${scope}.`);
}

/** True when the caller holds `scope` for `resource` (no throw). */
export function allows(identity: Identity, scope: string, resource?: ScopeResource): boolean {
  return hasScope(identity.scopes, scope, resource);
}
