import { createHmac } from 'node:crypto';
import { safeEqual } from '../lib/secrets';

/** Name of the hub's login cookie (path `<base>hub/`). */
export const LOGIN_COOKIE = 'jupyterhub-hub-login';
/** Name of the session-id cookie (path `<base>`); read by jupyterhub-singleuser as a cache key. */
export const SESSION_ID_COOKIE = 'jupyterhub-session-id';
/** Name of the XSRF cookie (path `<base>hub/`, readable by scripts on hub pages). */
export const XSRF_COOKIE = '_xsrf';

/** What the signed login cookie carries. */
export interface SessionPayload {
  /** User id. */
  readonly u: number;
  /** Session id (ties OAuth tokens to this login; logout deletes them). */
  readonly s: string;
  /** Issued at, seconds since the epoch. */
  readonly t: number;
}

/**
 * Signs and verifies the hub login cookie: `base64url(JSON payload).base64url(HMAC-SHA256)`.
 * Stateless, so a restarted hub keeps everyone logged in; the secret is persisted in the data dir.
 */
export class SessionCookieCodec {
  constructor(private readonly secret: Buffer, private readonly maxAgeSeconds: number) {}

  /** Encodes a payload into a cookie value. */
  encode(payload: SessionPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** Decodes and checks a cookie value; null when forged, malformed or older than the max age. */
  decode(value: string | undefined, nowMs: number): SessionPayload | null {
    if (!value) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    if (!safeEqual(value.slice(dot + 1), this.sign(body))) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!isPayload(parsed)) return null;
    if (nowMs / 1000 - parsed.t > this.maxAgeSeconds) return null;
    return parsed;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

function isPayload(value: unknown): value is SessionPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.u === 'number' && typeof v.s === 'string' && typeof v.t === 'number';
}
