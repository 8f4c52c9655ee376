/**
 * The Authenticator port: turns what a person presents at login into a user name (and groups).
 * Allow/admin policy is the hub's, applied after authentication (services/login.ts).
 *
 * The local-accounts adapter takes a username and password from the hub's login form. Redirecting
 * adapters (OIDC, a later issue) set `loginUrl` and handle their own callback routes.
 */
export interface Authenticator {
  /** `local`, later `oidc`. */
  readonly kind: string;
  /**
   * Checks credentials from the login form. Resolves to the authenticated identity, or to
   * `{ ok: false }` with a reason for the log (never shown verbatim to the person). Throttling of
   * repeated failures is applied here (`retryAfterSeconds` set when the caller must wait).
   */
  authenticate(credentials: { username: string; password: string; remoteAddress: string }): Promise<AuthOutcome>;
}

/** Result of {@link Authenticator.authenticate}. */
export type AuthOutcome =
  | { readonly ok: true; readonly username: string; readonly groups?: readonly string[]; readonly admin?: boolean }
  | { readonly ok: false; readonly reason: string; readonly retryAfterSeconds?: number };
