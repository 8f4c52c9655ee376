/**
 * Logins started at the provider and not finished yet, by their `state`: the PKCE verifier, the
 * nonce, the redirect URI and `next`. Each is taken once; entries expire, and the oldest go first
 * when too many are pending. Kept in memory: a login started before a hub restart is started again.
 */
import type { Clock } from '../../lib/clock';

/** What a started login needs at the callback. */
export interface PendingLogin {
  readonly codeVerifier: string;
  /** null for plain OAuth2 (no ID token). */
  readonly nonce: string | null;
  readonly redirectUri: string;
  readonly next: string | null;
}

/** Options of {@link PendingLogins}. */
export interface PendingLoginsOptions {
  readonly clock: Clock;
  /** How long a started login may take (default 10 minutes). */
  readonly ttlMs?: number;
  /** The most pending logins kept (default 10,000). */
  readonly maxEntries?: number;
}

/** The pending logins of one hub process. */
export class PendingLogins {
  private readonly entries = new Map<string, { readonly login: PendingLogin; readonly expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: PendingLoginsOptions) {
    this.ttlMs = options.ttlMs ?? 600_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Remembers a started login under `state`. */
  add(state: string, login: PendingLogin): void {
    const now = this.options.clock();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
    this.entries.set(state, { login, expiresAt: now + this.ttlMs });
  }

  /** The login started under `state` (removed: a state is good once), or null when unknown or expired. */
  take(state: string): PendingLogin | null {
    const entry = this.entries.get(state);
    if (!entry) return null;
    this.entries.delete(state);
    return entry.expiresAt > this.options.clock() ? entry.login : null;
  }
}
