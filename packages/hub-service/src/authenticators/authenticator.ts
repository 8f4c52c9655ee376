/**
 * The Authenticator port: turns what a person presents at login into a user name (and groups).
 * The hub's global policy (`auth.admins`) is applied after authentication (http/web/login.routes.ts);
 * an adapter may decide who is allowed and who is an admin from what its source says (OIDC groups).
 *
 * The local-accounts adapter takes a username and password from the hub's login form. Redirecting
 * adapters (OIDC/OAuth2) also implement {@link RedirectLogin}: `/hub/login` offers "Sign in with …",
 * `/hub/oauth_login` sends the browser to the provider and `/hub/oauth_callback` finishes.
 */
export interface Authenticator {
  /** `local`, `oidc`, `ldap` or `pam`. */
  readonly kind: string;
  /**
   * Checks credentials from the login form. Resolves to the authenticated identity, or to
   * `{ ok: false }` with a reason for the log (never shown verbatim to the person). Throttling of
   * repeated failures is applied here (`retryAfterSeconds` set when the caller must wait).
   * Redirecting adapters refuse every form login.
   */
  authenticate(credentials: { username: string; password: string; remoteAddress: string }): Promise<AuthOutcome>;
  /** Present when people sign in at an external provider instead of the hub's form. */
  readonly redirect?: RedirectLogin;
  /** Present when the adapter can read a user's groups again with a refresh token (OIDC; docs/login.md). */
  readonly refresher?: IdentityRefresh;
}

/** Reading a signed-in user's identity again at the provider, without the person (a refresh grant). */
export interface IdentityRefresh {
  /**
   * Uses `refreshToken` (kept from the login, or from the last refresh) to read the user's claims
   * again and decides access and admin as a login would. Never throws for provider failures.
   */
  refresh(input: { username: string; refreshToken: string }): Promise<RefreshOutcome>;
}

/** Result of {@link IdentityRefresh.refresh}. */
export type RefreshOutcome =
  | {
      readonly ok: true;
      /** As in {@link AuthOutcome}: the hub's memberships become exactly these when set. */
      readonly groups?: readonly string[];
      readonly admin?: boolean;
      /** The token to use next time (the provider may rotate it). */
      readonly refreshToken: string;
    }
  | {
      readonly ok: false;
      /**
       * true: the refresh failed for good (grant revoked or expired, another user, no longer
       * allowed): the user must sign in again. false: the provider could not answer now; try later.
       */
      readonly expired: boolean;
      /** For the log (never a token). */
      readonly reason: string;
    };

/** Result of {@link Authenticator.authenticate} and {@link RedirectLogin.finish}. */
export type AuthOutcome =
  | {
      readonly ok: true;
      readonly username: string;
      /** The user's groups at the source; when set, the hub's memberships become exactly these. */
      readonly groups?: readonly string[];
      /** true/false when the source decides admin rights (admin groups); absent: the hub's own setting stays. */
      readonly admin?: boolean;
      /** The provider's refresh token, for the periodic group refresh (kept by the hub, never logged). */
      readonly refreshToken?: string;
    }
  | {
      readonly ok: false;
      /** For the log. */
      readonly reason: string;
      readonly retryAfterSeconds?: number;
      /** Plain words for the person (redirecting adapters: provider errors, refusals). */
      readonly message?: string;
      /** The login service behind the adapter (directory, PAM) could not answer: shown with 503. */
      readonly unavailable?: boolean;
    };

/** A login that happens at an external provider (authorization code flow). */
export interface RedirectLogin {
  /** Text of the login button, e.g. `Sign in with Authentik`. */
  readonly buttonLabel: string;
  /**
   * Starts a login: the provider URL to send the browser to and the state to bind to this browser
   * (the caller keeps it in a cookie and hands it back to {@link finish}). `next` is kept with it.
   */
  begin(input: { redirectUri: string; next: string | null }): Promise<BeginOutcome>;
  /**
   * Finishes a login at the callback: `callbackUrl` is the full URL the provider sent the browser
   * to, `browserState` the state kept in the browser's cookie. Each started login finishes once.
   */
  finish(input: { redirectUri: string; callbackUrl: string; browserState: string | undefined }): Promise<FinishOutcome>;
}

/** Result of {@link RedirectLogin.begin}. */
export type BeginOutcome =
  | { readonly ok: true; readonly url: string; readonly state: string }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/** Result of {@link RedirectLogin.finish}: the outcome, and the `next` kept since the start (null: none or unknown). */
export type FinishOutcome = AuthOutcome & { readonly next: string | null };
