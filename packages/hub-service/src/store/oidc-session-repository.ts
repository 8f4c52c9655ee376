/**
 * A user's sign-in at the OpenID provider as the periodic group refresh needs it (table
 * `oidc_sessions`, migration 006; docs/login.md). The refresh token is a secret: it is stored in
 * the hub's database, which only the hub reads (docs/user-isolation.md), and never returned by an
 * API or logged.
 */
export interface OidcSession {
  readonly userId: number;
  /** The provider's refresh token; null when it gave none, or after a refresh failed for good. */
  readonly refreshToken: string | null;
  /** When the user's groups were last read from the provider (login or refresh). */
  readonly refreshed: Date;
  /** When a refresh failed for good (grant revoked or expired, no longer allowed); null while fine. */
  readonly expired: Date | null;
  /** Why it failed, for the log and the refusal of a start; null while fine. */
  readonly expiredReason: string | null;
}

/** Persistence of {@link OidcSession}s: one row per user, removed with the user. */
export interface OidcSessionRepository {
  /** The user's session, or null. */
  get(userId: number): Promise<OidcSession | null>;
  /** Writes the user's session (replacing the row). */
  save(session: OidcSession): Promise<void>;
  /** Sessions with a refresh token, not expired, last refreshed before `before`; oldest first. */
  listDue(before: Date): Promise<OidcSession[]>;
}
