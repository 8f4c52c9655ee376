/**
 * One-time messages for POST-redirect-GET pages: a POST stores a value server-side under a random
 * id, sets that id in a short-lived HttpOnly cookie and redirects; the next GET takes the value
 * (once) and clears the cookie. Secrets (a new API token) thus never travel in a URL and a reload
 * of the result page repeats nothing.
 */
import type { Request, Response } from 'express';
import { randomId } from '../../lib/secrets';
import type { Clock } from '../../lib/clock';
import { cookiesOf } from '../auth-guard';

/** How long a stored value waits for the GET that shows it. */
export const FLASH_TTL_MS = 120_000;
/** At most this many values wait at once (oldest dropped first). */
export const FLASH_MAX_ENTRIES = 1000;

interface Entry<T> {
  readonly userId: number;
  readonly value: T;
  readonly expires: number;
}

/** Options of {@link FlashStore}. */
export interface FlashStoreOptions {
  /** Cookie name, e.g. `clusterhub-token-flash`. */
  readonly cookie: string;
  /** Cookie path (the page that shows the value), e.g. `/hub/token`. */
  readonly path: string;
  readonly clock: Clock;
  /** Whether the cookie gets `Secure` for this request (the hub's `secureCookies`). */
  readonly secure: (req: Request) => boolean;
}

/** Server-side one-time values bound to a user and a cookie of the browser that made the POST. */
export class FlashStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** @param options cookie name and path, clock. */
  constructor(private readonly options: FlashStoreOptions) {}

  /** Stores `value` for `userId` and sets the cookie on `res`; call before redirecting. */
  put(req: Request, res: Response, userId: number, value: T): void {
    const now = this.options.clock();
    for (const [id, entry] of this.entries) if (entry.expires <= now) this.entries.delete(id);
    while (this.entries.size >= FLASH_MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    const id = randomId(24);
    this.entries.set(id, { userId, value, expires: now + FLASH_TTL_MS });
    res.cookie(this.options.cookie, id, { path: this.options.path, httpOnly: true, sameSite: 'strict', maxAge: FLASH_TTL_MS, secure: this.options.secure(req) });
  }

  /** Takes (and forgets) the value the request's cookie points at, if it belongs to `userId`; clears the cookie. */
  take(req: Request, res: Response, userId: number): T | undefined {
    const id = cookiesOf(req)[this.options.cookie];
    if (id === undefined) return undefined;
    res.clearCookie(this.options.cookie, { path: this.options.path, secure: this.options.secure(req) });
    const entry = this.entries.get(id);
    // Another user's cookie neither reads nor spends the value.
    if (entry === undefined || entry.userId !== userId) return undefined;
    this.entries.delete(id);
    return entry.expires > this.options.clock() ? entry.value : undefined;
  }
}
