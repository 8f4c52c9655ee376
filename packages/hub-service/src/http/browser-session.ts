import type { Request, Response } from 'express';
import type { HubContext } from './context';
import { randomId } from '../lib/secrets';
import { cookiesOf } from './auth-guard';
import { secureCookies } from './forwarded';
import { LOGIN_COOKIE, SESSION_ID_COOKIE, XSRF_COOKIE } from './session-cookie';
import { pageXsrfToken, rebindXsrfAfterLogin, requireXsrfToken } from './xsrf';

/**
 * The XSRF token for a page's forms and scripts (http/xsrf.ts): signed by the hub and bound to this
 * browser session; sets the `_xsrf` cookie when the browser has no valid one.
 *
 * @throws HubError `page_fetch_refused` when a script (not a navigation) asks for the page.
 */
export function ensureXsrf(_ctx: HubContext, req: Request, res: Response): string {
  return pageXsrfToken(req, res);
}

/** Checks the `_xsrf` field of a form POST: it must be a token the hub signed for this browser; throws `xsrf_missing`/`xsrf_mismatch`. */
export function checkFormXsrf(req: Request): void {
  const body: unknown = req.body;
  requireXsrfToken(req, typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._xsrf : undefined);
}

/** Logs a user in: sets the signed login cookie, the session-id cookie and a new `_xsrf` cookie bound to the session. Returns the session id. */
export function startBrowserSession(ctx: HubContext, req: Request, res: Response, userId: number): string {
  const sessionId = cookiesOf(req)[SESSION_ID_COOKIE] ?? randomId(16);
  const maxAge = ctx.config.hub.cookieMaxAgeDays * 86_400_000;
  const secure = secureCookies(ctx.config.hub, req);
  const value = ctx.sessions.encode({ u: userId, s: sessionId, t: Math.floor(ctx.clock() / 1000) });
  res.cookie(LOGIN_COOKIE, value, { path: ctx.hubPrefix, httpOnly: true, sameSite: 'lax', maxAge, secure });
  res.cookie(SESSION_ID_COOKIE, sessionId, { path: ctx.config.hub.baseUrl, httpOnly: true, sameSite: 'lax', maxAge, secure });
  rebindXsrfAfterLogin(ctx, req, res, sessionId, userId);
  return sessionId;
}

/** Clears the hub's cookies. */
export function endBrowserSession(ctx: HubContext, req: Request, res: Response): void {
  const secure = secureCookies(ctx.config.hub, req);
  res.clearCookie(LOGIN_COOKIE, { path: ctx.hubPrefix, secure });
  res.clearCookie(SESSION_ID_COOKIE, { path: ctx.config.hub.baseUrl, secure });
  res.clearCookie(XSRF_COOKIE, { path: ctx.hubPrefix, secure });
}

/** True when `text` has a C0 control character or DEL (URL parsers drop tabs and newlines silently). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Placeholder origin for resolving local paths (`.invalid` never resolves). */
const LOCAL_ORIGIN = 'http://local.invalid';

/**
 * True when a raw URL path has a `.` or `..` segment, literal or percent-encoded (`%2e`): browsers
 * never send them, and resolving them can turn `/a/../..//evil.example` into `//evil.example`.
 */
export function hasDotSegment(path: string): boolean {
  const end = path.search(/[?#]/);
  return (end === -1 ? path : path.slice(0, end)).split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/**
 * `next` normalised (dot segments resolved, as a browser would) when it is a local absolute path,
 * else null: no scheme, no host, no `//` or `\`, no control characters, before or after
 * normalisation. The returned value is safe as a `Location`.
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || hasControlCharacter(next)) return null;
  let url: URL;
  try {
    url = new URL(next, LOCAL_ORIGIN);
  } catch {
    return null;
  }
  if (url.origin !== LOCAL_ORIGIN || url.pathname.startsWith('//')) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
