/**
 * XSRF tokens as JupyterHub >= 4.1 makes them: signed by the hub and bound to the browser.
 *
 * A token is `<issue time>.<HMAC>` over a binding id (session-cookie.ts signs it):
 * - signed in (hub login cookie): the session id and user id from the *signed* login cookie, so a
 *   value planted in the `_xsrf` cookie, or a planted `jupyterhub-session-id` cookie, by a page
 *   under `/user/<someone>/` (same origin, so it can set cookies for `/hub/`) never verifies;
 * - anonymous (the login form): a hash of the client address and User-Agent, valid one hour, so
 *   a token fetched by someone else is useless here (JupyterHub's "anonymous id").
 * The token the request carries (`_xsrf` form field, `X-XSRFToken` header, `_xsrf` query) must
 * verify for the request's own binding; the `_xsrf` cookie only carries the token to scripts on hub
 * pages. Pages that embed a token refuse script-initiated fetches (a `Sec-Fetch-Dest` other than a
 * document or frame, see {@link isScriptedRequest}), so same-origin scripts cannot read it out of
 * the HTML. Browsers send `Sec-Fetch-*` only to secure origins (HTTPS, localhost); without them a
 * request counts as a navigation.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { HubError } from '../errors';
import type { Identity } from '../services/identity';
import type { HubContext } from './context';
import { clientAddress, secureCookies } from './forwarded';
import { XSRF_COOKIE } from './session-cookie';

/** How long an anonymous (not signed in) token is valid, as JupyterHub's anonymous `_xsrf` cookie. */
export const ANONYMOUS_XSRF_MAX_AGE_SECONDS = 3600;

/** What a request's tokens are bound to. */
interface XsrfBinding {
  readonly ctx: HubContext;
  /** Binding id (never sent to the browser). */
  readonly id: string;
  readonly maxAgeSeconds: number;
  readonly anonymous: boolean;
}

/**
 * A request's binding, or the context to compute it from (the anonymous one is hashed only when a
 * check needs it). Never a closure over the request: V8's young-generation collector (the
 * scavenger) keeps a WeakMap key alive while the entry's value refers to it, which made every
 * request outlive two scavenges and be promoted to the old space (docs/performance.md, the read p99).
 */
const bindings = new WeakMap<Request, XsrfBinding | { readonly anonymousIn: HubContext }>();

/** The binding of a signed-in browser session: session id and user id from the signed login cookie. */
function sessionBinding(ctx: HubContext, sessionId: string, userId: number): XsrfBinding {
  return { ctx, id: `s:${sessionId}:${userId}`, maxAgeSeconds: ctx.config.hub.cookieMaxAgeDays * 86_400, anonymous: false };
}

/** The binding of an anonymous visitor: hash of the client address and User-Agent. */
function anonymousBinding(ctx: HubContext, req: Request): XsrfBinding {
  const hash = createHash('sha256')
    .update(clientAddress(ctx.config.hub, req))
    .update('\n')
    .update(req.headers['user-agent'] ?? '')
    .digest('base64url');
  return { ctx, id: `a:${hash}`, maxAgeSeconds: ANONYMOUS_XSRF_MAX_AGE_SECONDS, anonymous: true };
}

/**
 * Records what this request's XSRF tokens are bound to. Called by the `authenticate` middleware;
 * `cookieIdentity` is the identity of the hub login cookie (null when the request has none or
 * authenticated with a token).
 */
export function bindXsrf(ctx: HubContext, req: Request, cookieIdentity: Identity | null): void {
  const signedIn = cookieIdentity?.user && cookieIdentity.sessionId ? sessionBinding(ctx, cookieIdentity.sessionId, cookieIdentity.user.id) : null;
  bindings.set(req, signedIn ?? { anonymousIn: ctx });
}

function bindingOf(req: Request): XsrfBinding {
  const entry = bindings.get(req);
  if (!entry) throw new Error('XSRF check before the authenticate middleware ran');
  if (!('anonymousIn' in entry)) return entry;
  const binding = anonymousBinding(entry.anonymousIn, req);
  bindings.set(req, binding);
  return binding;
}

/** Age in seconds of `token` when it verifies for the binding and has not expired, else null. */
function tokenAge(binding: XsrfBinding, token: string): number | null {
  const issued = binding.ctx.sessions.xsrfIssuedAt(token, binding.id);
  if (issued === null) return null;
  const age = binding.ctx.clock() / 1000 - issued;
  // A minute of clock skew is tolerated (several hub processes, a clock step).
  return age <= binding.maxAgeSeconds && age >= -60 ? Math.max(0, age) : null;
}

/** True when `token` was issued by this hub for this request's browser session (or anonymous browser). */
export function xsrfTokenValid(req: Request, token: string): boolean {
  return tokenAge(bindingOf(req), token) !== null;
}

/**
 * Checks a token sent with a state-changing or cookie-authenticated request.
 *
 * @throws HubError `xsrf_missing` when `token` is absent or empty, `xsrf_mismatch` when it does not verify.
 */
export function requireXsrfToken(req: Request, token: unknown): void {
  if (typeof token !== 'string' || token === '') throw new HubError('xsrf_missing');
  if (!xsrfTokenValid(req, token)) throw new HubError('xsrf_mismatch', 'The XSRF token is not valid for this browser session; reload the page.');
}

/**
 * True when a browser script (`fetch`, XHR, EventSource), not the browser's navigation, sent the
 * request: its `Sec-Fetch-Dest` is not a document or frame (`fetch` sends `empty` with
 * `Sec-Fetch-Mode: cors`; a navigation sends `document` or `iframe` with `navigate`). Browsers send
 * these headers together and scripts cannot change them. A request without `Sec-Fetch-Dest` is not
 * a browser script: curl, Node's fetch (which always says `Sec-Fetch-Mode: cors` but sends no
 * destination), or a browser on an insecure origin (HTTP, not localhost), which sends neither.
 */
export function isScriptedRequest(req: Request): boolean {
  const dest = req.headers['sec-fetch-dest'];
  return typeof dest === 'string' && !['document', 'iframe', 'frame'].includes(dest);
}

/** All values of the `_xsrf` cookie the browser sent (several when cookies were set on several paths). */
function xsrfCookieValues(req: Request): string[] {
  const values: string[] = [];
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== XSRF_COOKIE) continue;
    values.push(part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return values;
}

/** Sets the `_xsrf` cookie (readable by scripts on hub pages) to a fresh token for the binding. */
function setXsrfCookie(req: Request, res: Response, binding: XsrfBinding): string {
  const { ctx } = binding;
  const token = ctx.sessions.xsrfToken(binding.id, ctx.clock() / 1000);
  res.cookie(XSRF_COOKIE, token, {
    path: ctx.hubPrefix,
    sameSite: 'lax',
    httpOnly: false,
    secure: secureCookies(ctx.config.hub, req),
    ...(binding.anonymous ? { maxAge: ANONYMOUS_XSRF_MAX_AGE_SECONDS * 1000 } : {}),
  });
  return token;
}

/**
 * The XSRF token a page embeds: the `_xsrf` cookie's when it verifies for this browser and is
 * younger than half its lifetime, else a new one (also set as the cookie).
 *
 * @throws HubError `page_fetch_refused` when a script, not the browser's navigation, asks for the page.
 */
export function pageXsrfToken(req: Request, res: Response): string {
  if (isScriptedRequest(req)) throw new HubError('page_fetch_refused');
  const binding = bindingOf(req);
  for (const value of xsrfCookieValues(req)) {
    const age = tokenAge(binding, value);
    if (age !== null && age < binding.maxAgeSeconds / 2) return value;
  }
  return setXsrfCookie(req, res, binding);
}

/** After a login: binds the request to the new session and sets its `_xsrf` cookie. */
export function rebindXsrfAfterLogin(ctx: HubContext, req: Request, res: Response, sessionId: string, userId: number): void {
  const binding = sessionBinding(ctx, sessionId, userId);
  bindings.set(req, binding);
  setXsrfCookie(req, res, binding);
}
