import { DEFAULT_ROLES, expandScopes, intersectScopes } from '@clusterhub/shared';
import type { Store, TokenRecord, UserRecord } from '../store/store';
import type { ResolvedConfig } from '../config/types';
import type { Clock } from '../lib/clock';
import { sha256Hex } from '../lib/secrets';
import { ScopeCache } from './scope-cache';
import { ChangeGuardedCache } from './change-guarded-cache';

/** Who is making a request, with the scopes the request may use (already expanded and intersected). */
export interface Identity {
  readonly kind: 'user' | 'service';
  readonly name: string;
  /** The user row (kind `user`). */
  readonly user: UserRecord | null;
  /** Groups of the user (kind `user`). */
  readonly groups: readonly string[];
  /** Effective, expanded scopes. */
  readonly scopes: ReadonlySet<string>;
  /** The token used, or null for a browser session. */
  readonly token: TokenRecord | null;
  /** Browser session id (cookie, or the session the OAuth token was issued to). */
  readonly sessionId: string | null;
}

/** A user-owned token as the store described it, kept in the {@link ChangeGuardedCache}. */
interface ResolvedToken {
  readonly identity: Identity;
  readonly token: TokenRecord;
  readonly user: UserRecord;
}

/** How long token `last_activity` writes are coalesced. */
const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** Resolution of a user's `last_activity` bumps from token use (JupyterHub's `activity_resolution`, 30 s). */
const USER_ACTIVITY_RESOLUTION_MS = 30_000;

/**
 * Resolves credentials to an {@link Identity}: API tokens (user, server, OAuth and configured
 * service tokens) and browser sessions. Owns the rule "what may this token do":
 * expand(token scopes, owner) ∩ expand(owner scopes) (protocol.md §7).
 */
export class IdentityService {
  private readonly serviceTokens = new Map<string, ResolvedConfig['services'][number]>();
  /** Expanded scopes by the inputs they are computed from (pure, so never stale; see scope-cache.ts). */
  private readonly scopeCache = new ScopeCache();
  /** User-owned tokens already resolved, emptied on any store change; null when the store has no change signal. */
  private readonly tokenIndex: ChangeGuardedCache<ResolvedToken> | null;

  constructor(
    private readonly deps: { store: Store; config: ResolvedConfig; clock: Clock },
  ) {
    for (const service of deps.config.services) {
      if (service.apiToken) this.serviceTokens.set(sha256Hex(service.apiToken), service);
    }
    this.tokenIndex = deps.store.changes ? new ChangeGuardedCache(deps.store.changes) : null;
  }

  /** The full, expanded scopes a user holds (roles: user, plus admin for admins). */
  userScopes(user: UserRecord): Set<string> {
    return new Set(this.cachedUserScopes(user));
  }

  /** The full, expanded scopes of a configured service. */
  serviceScopes(service: ResolvedConfig['services'][number]): Set<string> {
    return new Set(this.cachedServiceScopes(service));
  }

  private cachedUserScopes(user: UserRecord): ReadonlySet<string> {
    return this.scopeCache.get(ScopeCache.key(['user', user.name, user.admin]), () => {
      const roles = user.admin ? [...DEFAULT_ROLES.user, ...DEFAULT_ROLES.admin] : [...DEFAULT_ROLES.user];
      return expandScopes(roles, { user: user.name });
    });
  }

  private cachedServiceScopes(service: ResolvedConfig['services'][number]): ReadonlySet<string> {
    return this.scopeCache.get(ScopeCache.key(['service', service.name, service.admin, service.scopes]), () => {
      const raw = service.admin ? [...DEFAULT_ROLES.admin, ...service.scopes] : [...service.scopes];
      return expandScopes(raw, { service: service.name });
    });
  }

  /** Resolves a raw API token; null when unknown or expired. */
  async fromToken(raw: string): Promise<Identity | null> {
    const hash = sha256Hex(raw);
    const service = this.serviceTokens.get(hash);
    if (service) {
      return { kind: 'service', name: service.name, user: null, groups: [], scopes: this.cachedServiceScopes(service), token: null, sessionId: null };
    }
    const resolved = this.tokenIndex ? await this.tokenIndex.through(hash, () => this.resolveToken(hash)) : await this.resolveToken(hash);
    if (resolved === null) return null;
    // What depends on the time is checked on every use, cached or not.
    const { token, user } = resolved;
    const now = this.deps.clock();
    if (token.expiresAt && token.expiresAt.getTime() <= now) return null;
    if (!token.lastActivity || now - token.lastActivity.getTime() > TOKEN_TOUCH_INTERVAL_MS) {
      await this.deps.store.tokens.touch(token.id, new Date(now));
    }
    // As JupyterHub: using a user's token is activity of that user; a server's own token is not.
    if (token.kind !== 'server') await this.recordUserActivity(user, now);
    return resolved.identity;
  }

  /** Reads a user-owned token, its owner and the owner's groups from the store; null when unknown or ownerless. */
  private async resolveToken(hash: string): Promise<ResolvedToken | null> {
    const token = await this.deps.store.tokens.findByHash(hash);
    if (!token || token.userId === null) return null;
    const user = await this.deps.store.users.getById(token.userId);
    if (!user) return null;
    const groups = await this.deps.store.groups.groupNamesOf(user.id);
    const scopes = await this.cachedTokenScopes(token, user, groups);
    const identity: Identity = { kind: 'user', name: user.name, user, groups, scopes, token, sessionId: token.sessionId };
    return { identity, token, user };
  }

  /** Identity of a browser session (the hub login cookie): the user's full scopes. A request with it is the user's activity. */
  async fromSession(userId: number, sessionId: string): Promise<Identity | null> {
    const user = await this.deps.store.users.getById(userId);
    if (!user) return null;
    await this.recordUserActivity(user, this.deps.clock());
    const groups = await this.deps.store.groups.groupNamesOf(user.id);
    return { kind: 'user', name: user.name, user, groups, scopes: this.cachedUserScopes(user), token: null, sessionId };
  }

  /** Bumps the user's `last_activity` to `now`, at most once per {@link USER_ACTIVITY_RESOLUTION_MS}. */
  private async recordUserActivity(user: UserRecord, now: number): Promise<void> {
    if (user.lastActivity && now - user.lastActivity.getTime() <= USER_ACTIVITY_RESOLUTION_MS) return;
    await this.deps.store.users.touchActivity(user.id, new Date(now));
  }

  /** Effective scopes of a user-owned token. */
  async tokenScopes(token: TokenRecord, owner: UserRecord, ownerGroups?: readonly string[]): Promise<Set<string>> {
    return new Set(await this.cachedTokenScopes(token, owner, ownerGroups));
  }

  private async cachedTokenScopes(token: TokenRecord, owner: UserRecord, ownerGroups?: readonly string[]): Promise<ReadonlySet<string>> {
    const serverName = token.serverId !== null ? ((await this.deps.store.servers.getById(token.serverId))?.name ?? '') : '';
    const raw = token.kind === 'server' ? [...DEFAULT_ROLES.server] : token.scopes;
    return this.cachedScopesForRaw(raw, owner, serverName, ownerGroups);
  }

  /**
   * Effective scopes of a user-owned token with raw scopes `raw` (none, or `inherit` ⇒ all the
   * owner's scopes): expand(raw + identify scopes) ∩ expand(owner's scopes).
   */
  async scopesForRaw(raw: readonly string[], owner: UserRecord, serverName = '', ownerGroups?: readonly string[]): Promise<Set<string>> {
    return new Set(await this.cachedScopesForRaw(raw, owner, serverName, ownerGroups));
  }

  private async cachedScopesForRaw(raw: readonly string[], owner: UserRecord, serverName: string, ownerGroups?: readonly string[]): Promise<ReadonlySet<string>> {
    const ownerScopes = this.cachedUserScopes(owner);
    if (raw.length === 0 || raw.includes('inherit')) return ownerScopes;
    const groups = ownerGroups ?? (await this.deps.store.groups.groupNamesOf(owner.id));
    const key = ScopeCache.key(['token', owner.name, owner.admin, serverName, groups, raw]);
    return this.scopeCache.get(key, () => {
      const identify = [`read:users:name!user=${owner.name}`, `read:users:groups!user=${owner.name}`];
      const granted = expandScopes([...raw, ...identify], { user: owner.name, server: serverName });
      return intersectScopes(granted, ownerScopes, (name) => (name === owner.name ? groups : []));
    });
  }
}
