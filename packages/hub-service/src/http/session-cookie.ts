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

  /**
   * An XSRF token for binding `id` (see http/xsrf.ts), issued at `issuedAtSeconds`:
   * `<issue time, base 36>.<HMAC-SHA256(xsrf key, id + issue time), base64url>`. The id itself is
   * not in the token (it may hold the session id, which scripts must not read).
   */
  xsrfToken(id: string, issuedAtSeconds: number): string {
    const t = Math.max(0, Math.floor(issuedAtSeconds)).toString(36);
    return `${t}.${this.xsrfMac(id, t)}`;
  }

  /**
   * The issue time (seconds) of an XSRF token when it was signed by this hub for binding `id`,
   * else null (forged, planted, malformed, or signed for another session or browser).
   */
  xsrfIssuedAt(token: string, id: string): number | null {
    const match = XSRF_TOKEN_FORM.exec(token);
    if (!match?.[1] || !match[2]) return null;
    if (!safeEqual(match[2], this.xsrfMac(id, match[1]))) return null;
    return parseInt(match[1], 36);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  /** HMAC under a key derived from the secret, so a login-cookie signature never verifies as an XSRF token. */
  private xsrfMac(id: string, t: string): string {
    const key = createHmac('sha256', this.secret).update('clusterhub xsrf v1').digest();
    return createHmac('sha256', key).update(`${id}\n${t}`).digest('base64url');
  }
}

/** Shape of an XSRF token: issue time in base 36, a dot, a base64url SHA-256 HMAC. */
const XSRF_TOKEN_FORM = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

function isPayload(value: unknown): value is SessionPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.u === 'number' && typeof v.s === 'string' && typeof v.t === 'number';
}
