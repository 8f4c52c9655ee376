import { hasScope } from '@clusterhub/shared';
import type { OAuthClientRecord, Store, UserRecord } from '../store/store';
import type { Identity } from '../services/identity';
import type { Clock } from '../lib/clock';
import { newToken, randomId, safeEqual, sha256Hex } from '../lib/secrets';
import { verifyPkceS256 } from './pkce';

/** Authorization codes live this long (protocol.md §4.2). */
const CODE_TTL_MS = 300_000;

/** An OAuth error as RFC 6749 names it, with the HTTP status to answer. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'unsupported_response_type' | 'access_denied' | 'invalid_scope',
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/** The parameters of an authorization request. */
export interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly responseType: string;
  readonly state: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
}

/** What {@link OAuthProvider.checkAuthorize} found out. */
export interface AuthorizeCheck {
  readonly client: OAuthClientRecord;
  /** Owner and name of the server the client belongs to (null for non-server clients). */
  readonly target: { readonly user: string; readonly server: string } | null;
  /** True when the user must confirm (e.g. an admin visiting someone else's server). */
  readonly needsConfirmation: boolean;
}

/**
 * The hub's OAuth2 authorization-code provider for single-user servers (protocol.md §4):
 * one client per server (secret = the server's API token), exact redirect-URI match, PKCE S256,
 * single-use codes that expire after 300 s, tokens bound to the browser session.
 */
export class OAuthProvider {
  constructor(private readonly deps: { store: Store; clock: Clock; tokenLifetimeSeconds: number }) {}

  /**
   * Validates an authorization request for `identity`. Throws OAuthError `invalid_client`
   * (unknown client or redirect mismatch: the caller shows an error page, never redirects) or
   * `access_denied` (status 403) when the user may not access the server.
   */
  async checkAuthorize(identity: Identity, params: AuthorizeParams): Promise<AuthorizeCheck> {
    const client = await this.deps.store.oauth.getClient(params.clientId);
    if (!client) throw new OAuthError('invalid_client', `Unknown OAuth client: ${params.clientId}.`);
    if (params.redirectUri !== client.redirectUri) throw new OAuthError('invalid_client', 'The redirect_uri does not match the one registered for this client.');
    if (params.responseType !== 'code') throw new OAuthError('unsupported_response_type', 'Only response_type=code is supported.');
    if (params.codeChallenge !== null && params.codeChallengeMethod !== 'S256') {
      throw new OAuthError('invalid_request', 'Only code_challenge_method=S256 is supported.');
    }
    let target: AuthorizeCheck['target'] = null;
    if (client.serverId !== null) {
      const server = await this.deps.store.servers.getById(client.serverId);
      const owner = server ? await this.deps.store.users.getById(server.userId) : null;
      if (!server || !owner) throw new OAuthError('invalid_client', 'The server of this OAuth client no longer exists.');
      target = { user: owner.name, server: server.name };
      if (!hasScope(identity.scopes, 'access:servers', { user: owner.name, server: server.name, userGroups: [] })) {
        throw new OAuthError('access_denied', `You do not have permission to access the server ${owner.name}/${server.name}.`, 403);
      }
    }
    const own = target !== null && identity.kind === 'user' && target.user === identity.name;
    return { client, target, needsConfirmation: !own };
  }

  /** Issues a single-use code for a checked request; returns the redirect URL with `code` and `state`. */
  async issueCode(user: UserRecord, sessionId: string | null, check: AuthorizeCheck, params: AuthorizeParams): Promise<string> {
    const code = randomId(32);
    const scopes = [...check.client.allowedScopes, `read:users:name!user=${user.name}`, `read:users:groups!user=${user.name}`];
    await this.deps.store.oauth.createCode({
      codeHash: sha256Hex(code),
      clientId: check.client.id,
      userId: user.id,
      scopes: [...new Set(scopes)],
      redirectUri: params.redirectUri,
      sessionId,
      codeChallenge: params.codeChallenge,
      codeChallengeMethod: params.codeChallenge ? 'S256' : null,
      expiresAt: new Date(this.deps.clock() + CODE_TTL_MS),
    });
    return appendQuery(params.redirectUri, { code, state: params.state });
  }

  /**
   * The token endpoint for `grant_type=authorization_code` (client_secret_post). Throws
   * OAuthError: `invalid_client` (401), `unsupported_grant_type`, `invalid_grant`, `invalid_request`.
   */
  async exchangeCode(form: Record<string, string | undefined>): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    const clientId = form.client_id ?? '';
    const client = await this.deps.store.oauth.getClient(clientId);
    if (!client || !form.client_secret || !safeEqual(sha256Hex(form.client_secret), client.secretHash)) {
      throw new OAuthError('invalid_client', 'Client authentication failed.', 401);
    }
    if (form.grant_type !== 'authorization_code') throw new OAuthError('unsupported_grant_type', 'Only grant_type=authorization_code is supported.');
    if (!form.code) throw new OAuthError('invalid_request', 'Missing code.');
    const code = await this.deps.store.oauth.consumeCode(sha256Hex(form.code));
    const now = this.deps.clock();
    if (!code || code.clientId !== client.id || code.expiresAt.getTime() <= now) throw new OAuthError('invalid_grant', 'The code is unknown, used or expired.');
    if (form.redirect_uri !== undefined && form.redirect_uri !== code.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request.');
    if (code.codeChallenge) {
      if (!form.code_verifier || !verifyPkceS256(form.code_verifier, code.codeChallenge)) throw new OAuthError('invalid_grant', 'The PKCE code_verifier does not match.');
    }
    const token = newToken();
    await this.deps.store.tokens.create({
      kind: 'oauth',
      userId: code.userId,
      serviceName: null,
      prefix: token.slice(0, 4),
      hash: sha256Hex(token),
      scopes: code.scopes,
      note: `OAuth token for ${client.description}`,
      expiresAt: new Date(now + this.deps.tokenLifetimeSeconds * 1000),
      sessionId: code.sessionId,
      oauthClientId: client.id,
      serverId: null,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: this.deps.tokenLifetimeSeconds, scope: code.scopes.join(' ') };
  }
}

/** Appends query parameters to a (possibly relative) URL; null values are skipped. */
export function appendQuery(url: string, params: Record<string, string | null>): string {
  const query = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
}
