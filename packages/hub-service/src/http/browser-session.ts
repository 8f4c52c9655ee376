import type { Request, Response } from 'express';
import type { HubContext } from './context';
import { randomId, safeEqual } from '../lib/secrets';
import { HubError } from '../errors';
import { cookiesOf } from './auth-guard';
import { LOGIN_COOKIE, SESSION_ID_COOKIE, XSRF_COOKIE } from './session-cookie';

/** Returns the request's XSRF token, setting the `_xsrf` cookie when missing. */
export function ensureXsrf(ctx: HubContext, req: Request, res: Response): string {
  const existing = cookiesOf(req)[XSRF_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
  const value = randomId(18);
  res.cookie(XSRF_COOKIE, value, { path: ctx.hubPrefix, sameSite: 'lax', httpOnly: false });
  return value;
}

/** Checks the `_xsrf` field of a form POST against the cookie; throws `xsrf_missing`/`xsrf_mismatch`. */
export function checkFormXsrf(req: Request): void {
  const body: unknown = req.body;
  const sent = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._xsrf : undefined;
  if (typeof sent !== 'string' || sent === '') throw new HubError('xsrf_missing');
  const cookie = cookiesOf(req)[XSRF_COOKIE];
  if (!cookie || !safeEqual(cookie, sent)) throw new HubError('xsrf_mismatch');
}

/** Logs a user in: sets the signed login cookie and the session-id cookie. Returns the session id. */
export function startBrowserSession(ctx: HubContext, req: Request, res: Response, userId: number): string {
  const sessionId = cookiesOf(req)[SESSION_ID_COOKIE] ?? randomId(16);
  const maxAge = ctx.config.hub.cookieMaxAgeDays * 86_400_000;
  const value = ctx.sessions.encode({ u: userId, s: sessionId, t: Math.floor(ctx.clock() / 1000) });
  res.cookie(LOGIN_COOKIE, value, { path: ctx.hubPrefix, httpOnly: true, sameSite: 'lax', maxAge });
  res.cookie(SESSION_ID_COOKIE, sessionId, { path: ctx.config.hub.baseUrl, httpOnly: true, sameSite: 'lax', maxAge });
  return sessionId;
}

/** Clears the hub's cookies. */
export function endBrowserSession(ctx: HubContext, res: Response): void {
  res.clearCookie(LOGIN_COOKIE, { path: ctx.hubPrefix });
  res.clearCookie(SESSION_ID_COOKIE, { path: ctx.config.hub.baseUrl });
  res.clearCookie(XSRF_COOKIE, { path: ctx.hubPrefix });
}

/** `next` if it is a local absolute path (no scheme, no `//`), else null. */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || /[\r\n]/.test(next)) return null;
  return next;
}
