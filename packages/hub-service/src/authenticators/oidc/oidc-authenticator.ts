/**
 * Login at an OpenID Connect provider (discovery, or explicit endpoints) or a plain OAuth2 provider
 * with a userinfo URL (`auth.oidc`), with `openid-client`: authorization code flow with PKCE (S256),
 * `state` bound to the browser and used once, `nonce` checked in the ID token (OIDC). The user
 * name and groups come from the ID token's claims merged with the userinfo answer; the access rules
 * (allowed users and groups, admin groups, allow-all) decide who gets in. With
 * `refreshGroupsSeconds`, the login's refresh token is handed to the hub, which uses
 * {@link OidcAuthenticator.refresh} (a refresh grant) to read the groups again (docs/login.md).
 */
import { isValidUserName } from '@clusterhub/shared';
import { Issuer, custom, generators, type BaseClient, type TokenSet } from 'openid-client';
import type { ResolvedOidcConfig } from '../../config/types';
import type { Clock } from '../../lib/clock';
import type { AuthOutcome, Authenticator, BeginOutcome, FinishOutcome, IdentityRefresh, RedirectLogin, RefreshOutcome } from '../authenticator';
import { decideAccess } from './access';
import { groupsClaim, usernameClaim, type Claims } from './claims';
import { PendingLogins } from './pending-logins';
import { describeFailure, refreshFailure, unreachable, type LoginFailure } from './provider-errors';

/** Options of {@link OidcAuthenticator}. */
export interface OidcAuthenticatorOptions {
  readonly config: ResolvedOidcConfig;
  /** Time source for pending-login expiry (default the system clock). */
  readonly clock?: Clock;
}

/** Network error codes of a provider that is not there. */
const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/;

/** The OIDC / OAuth2 authenticator. */
export class OidcAuthenticator implements Authenticator, RedirectLogin, IdentityRefresh {
  /** This adapter's kind in config. */
  readonly kind = 'oidc';
  /** The redirect login is this object. */
  readonly redirect: RedirectLogin = this;
  /** The group refresh is this object when `refreshGroupsSeconds` is set. */
  readonly refresher?: IdentityRefresh;
  /** "Sign in with <displayName>". */
  readonly buttonLabel: string;

  private readonly config: ResolvedOidcConfig;
  private readonly pending: PendingLogins;
  /** Where the provider is, for messages (its host). */
  private readonly where: string;
  private issuer: Promise<Issuer<BaseClient>> | null = null;

  constructor(options: OidcAuthenticatorOptions) {
    this.config = options.config;
    this.pending = new PendingLogins({ clock: options.clock ?? Date.now });
    this.buttonLabel = `Sign in with ${options.config.displayName}`;
    this.where = new URL(options.config.issuer ?? options.config.authorizationUrl ?? 'http://provider.invalid').host;
    if (options.config.refreshGroupsSeconds > 0) this.refresher = this;
  }

  /** Form logins are not offered: people sign in at the provider. */
  async authenticate(): Promise<AuthOutcome> {
    return { ok: false, reason: 'password login is off (auth.kind oidc)', message: `This hub signs you in at ${this.config.displayName}.` };
  }

  /** Starts a login; see {@link RedirectLogin.begin}. */
  async begin(input: { redirectUri: string; next: string | null }): Promise<BeginOutcome> {
    let client: BaseClient;
    try {
      client = this.clientFor(await this.loadIssuer(), input.redirectUri);
    } catch (err) {
      return { ok: false, ...this.setupFailure(err) };
    }
    const state = generators.state();
    const codeVerifier = generators.codeVerifier();
    const nonce = this.config.protocol === 'oidc' ? generators.nonce() : null;
    const url = client.authorizationUrl({
      // The site's extra parameters first: the config checks refuse those the hub sets, and the hub's own win anyway.
      ...this.config.extraAuthorizeParams,
      scope: this.config.scopes.join(' '),
      state,
      ...(nonce === null ? {} : { nonce }),
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      redirect_uri: input.redirectUri,
    });
    this.pending.add(state, { codeVerifier, nonce, redirectUri: input.redirectUri, next: input.next });
    return { ok: true, url, state };
  }

  /** Finishes a login; see {@link RedirectLogin.finish}. */
  async finish(input: { redirectUri: string; callbackUrl: string; browserState: string | undefined }): Promise<FinishOutcome> {
    const refused = (failure: LoginFailure, next: string | null = null): FinishOutcome => ({ ok: false, ...failure, next });
    const returned = new URL(input.callbackUrl).searchParams.get('state') ?? '';
    // The browser's own login, taken whatever the answer: a state is good for one try.
    const login = input.browserState ? this.pending.take(input.browserState) : null;
    if (!login || returned !== input.browserState) {
      return refused({
        reason: login ? 'state of the answer does not match this browser' : 'no pending login for this browser (expired, used, or never started)',
        message: login
          ? 'The answer from the identity provider does not belong to the sign-in started in this browser, so it was refused. Please sign in again.'
          : 'This sign-in expired or was already used. Please sign in again.',
      });
    }
    let claims: Claims;
    let refreshToken: string | undefined;
    try {
      const issuer = await this.loadIssuer();
      const client = this.clientFor(issuer, login.redirectUri);
      const params = client.callbackParams(input.callbackUrl);
      const checks = { state: returned, code_verifier: login.codeVerifier, response_type: 'code' };
      const tokens: TokenSet =
        this.config.protocol === 'oidc'
          ? await client.callback(login.redirectUri, params, { ...checks, nonce: login.nonce ?? undefined })
          : await client.oauthCallback(login.redirectUri, params, checks);
      claims = await this.claimsOf(issuer, client, tokens);
      refreshToken = tokens.refresh_token;
    } catch (err) {
      return refused(describeFailure(this.where, err), login.next);
    }
    const identity = this.identityOf(claims);
    const keep = identity.ok && this.refresher !== undefined && refreshToken !== undefined;
    return { ...identity, ...(keep ? { refreshToken } : {}), next: login.next };
  }

  /**
   * Reads the user's claims again with a refresh grant (ID token of the answer, and userinfo) and
   * decides as a login would; see {@link IdentityRefresh.refresh}.
   */
  async refresh(input: { username: string; refreshToken: string }): Promise<RefreshOutcome> {
    let claims: Claims;
    let next: string;
    try {
      const issuer = await this.loadIssuer();
      const client = this.clientFor(issuer, null);
      const tokens = await client.refresh(input.refreshToken);
      claims = await this.claimsOf(issuer, client, tokens);
      next = tokens.refresh_token ?? input.refreshToken;
    } catch (err) {
      return refreshFailure(this.where, err);
    }
    const identity = this.identityOf(claims);
    if (!identity.ok) return { ok: false, expired: true, reason: `no longer allowed: ${identity.reason}` };
    if (identity.username !== input.username) return { ok: false, expired: true, reason: `the provider now names the user ${JSON.stringify(identity.username)}` };
    return {
      ok: true,
      refreshToken: next,
      ...(identity.groups === undefined ? {} : { groups: identity.groups }),
      ...(identity.admin === undefined ? {} : { admin: identity.admin }),
    };
  }

  /** The ID token's claims (OIDC) merged with the userinfo answer when the provider has a userinfo endpoint. */
  private async claimsOf(issuer: Issuer<BaseClient>, client: BaseClient, tokens: TokenSet): Promise<Claims> {
    // A refresh answer may come without an ID token: then userinfo alone tells.
    let claims: Claims = this.config.protocol === 'oidc' && tokens.id_token !== undefined ? { ...tokens.claims() } : {};
    if (issuer.metadata.userinfo_endpoint !== undefined && tokens.access_token !== undefined) {
      const info = await client.userinfo(this.config.protocol === 'oidc' && tokens.id_token !== undefined ? tokens : tokens.access_token);
      claims = { ...claims, ...info };
    }
    return claims;
  }

  /** The user name, groups and access decision from the provider's claims. */
  private identityOf(claims: Claims): AuthOutcome {
    const name = usernameClaim(claims, this.config.usernameClaim)?.toLowerCase() ?? null;
    if (name === null || !isValidUserName(name)) {
      return {
        ok: false,
        reason: name === null ? `no ${this.config.usernameClaim} claim` : `invalid user name ${JSON.stringify(name)}`,
        message:
          name === null
            ? `The identity provider did not send your user name (claim ${this.config.usernameClaim}), so you cannot sign in. Tell your administrator.`
            : `Your user name ${JSON.stringify(name)} from the identity provider cannot be used on this hub. Tell your administrator.`,
      };
    }
    const groups = groupsClaim(claims, this.config.groupsClaim);
    const decision = decideAccess(this.config, name, groups);
    if (!decision.allowed) return { ok: false, reason: decision.reason, message: decision.message };
    return {
      ok: true,
      username: name,
      ...(this.config.manageGroups ? { groups } : {}),
      ...(decision.admin === undefined ? {} : { admin: decision.admin }),
    };
  }

  /** The provider's metadata: discovered once (again after a failure), or built from explicit endpoints. */
  private loadIssuer(): Promise<Issuer<BaseClient>> {
    if (this.issuer) return this.issuer;
    const cfg = this.config;
    const loading =
      cfg.authorizationUrl !== null && cfg.tokenUrl !== null
        ? Promise.resolve(
            new Issuer({
              issuer: cfg.issuer ?? new URL(cfg.authorizationUrl).origin,
              authorization_endpoint: cfg.authorizationUrl,
              token_endpoint: cfg.tokenUrl,
              ...(cfg.userinfoUrl === null ? {} : { userinfo_endpoint: cfg.userinfoUrl }),
              ...(cfg.jwksUrl === null ? {} : { jwks_uri: cfg.jwksUrl }),
            }),
          )
        : Issuer.discover(cfg.issuer ?? '');
    this.issuer = loading;
    loading.catch(() => {
      if (this.issuer === loading) this.issuer = null;
    });
    return loading;
  }

  /** A client of the provider for one redirect URI (none for a refresh), with the configured request timeout. */
  private clientFor(issuer: Issuer<BaseClient>, redirectUri: string | null): BaseClient {
    const secret = this.config.clientSecret;
    const client = new issuer.Client({
      client_id: this.config.clientId,
      ...(secret === null ? { token_endpoint_auth_method: 'none' } : { client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' }),
      ...(redirectUri === null ? {} : { redirect_uris: [redirectUri] }),
      response_types: ['code'],
    });
    const timeout = Math.round(this.config.timeoutSeconds * 1000);
    client[custom.http_options] = (_url, options) => ({ ...(options.headers ? { headers: options.headers } : {}), timeout });
    return client;
  }

  /** Why the provider's metadata could not be had, in plain words. */
  private setupFailure(err: unknown): LoginFailure {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    if (typeof code === 'string' && NETWORK_CODES.test(code)) return unreachable(this.where, err);
    if (err instanceof Error && /timeout|timed out/i.test(`${err.name} ${err.message}`)) return unreachable(this.where, err);
    return {
      reason: `provider configuration unreadable: ${err instanceof Error ? err.message : String(err)}`,
      message: `The hub could not read the sign-in settings of the identity provider (${this.where}). Try again later, or tell your administrator.`,
    };
  }
}
