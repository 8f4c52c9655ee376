/**
 * The periodic group refresh (`auth.oidc.refreshGroupsSeconds`, docs/login.md), after
 * JupyterHub's `refresh_user` with `auth_refresh_age` and `refresh_pre_spawn`: the refresh token a
 * provider gives at login is kept (table `oidc_sessions`); every period, and before a start when the
 * last refresh is older than the period, it is used to read the user's claims again, and the
 * groups and admin flag are applied exactly as at a login ({@link applyIdentity}). A refresh that
 * fails for good (grant revoked or expired, no longer allowed) drops the token and marks the
 * user: new starts are refused with `auth_expired` until they sign in again (running servers go
 * on). A provider that cannot answer is tried again at the next pass; a start that needs the
 * refresh then fails with `identity_provider_unavailable` (stale groups never decide a start).
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { IdentityRefresh } from '../authenticators/authenticator';
import type { ResolvedConfig } from '../config/types';
import { HubError } from '../errors';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { OidcSession } from '../store/oidc-session-repository';
import type { Store, UserRecord } from '../store/store';
import type { AuditLog } from './audit';
import { applyIdentity } from './identity-update';
import { checkProfileAccess } from './profile-access';

/** Dependencies of {@link GroupRefresh}. */
export interface GroupRefreshDeps {
  readonly store: Store;
  /** The authenticator's refresh grant. */
  readonly refresher: IdentityRefresh;
  readonly auth: Pick<ResolvedConfig['auth'], 'admins' | 'adminGroups'>;
  /** Seconds between refreshes (> 0). */
  readonly periodSeconds: number;
  /** The provider's name for messages (`auth.oidc.displayName`). */
  readonly providerName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit?: AuditLog;
}

/** What one refresh of a user did. */
export type RefreshResult = 'refreshed' | 'skipped' | 'expired' | 'unavailable';

/** Why a refresh ran: the periodic pass, or a start that needed fresh groups. */
export type RefreshTrigger = 'periodic' | 'start';

/** The group refresh of one hub process; see the module comment. */
export class GroupRefresh {
  private readonly inflight = new Map<number, Promise<RefreshResult>>();
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<number> | null = null;

  constructor(private readonly deps: GroupRefreshDeps) {}

  /** After a login: keeps the provider's refresh token (null: it gave none) and clears an expired mark. */
  async signedIn(user: UserRecord, refreshToken: string | null): Promise<void> {
    await this.deps.store.oidcSessions.save({ userId: user.id, refreshToken, refreshed: this.now(), expired: null, expiredReason: null });
  }

  /**
   * Refreshes the users whose last refresh is at least a period old, one after another; the number
   * refreshed. A pass already running is joined.
   */
  sweep(): Promise<number> {
    this.pass ??= this.runPass().finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  /** Refreshes one user now (joined when one is in flight for the user, so a token is never used twice at once). */
  refreshUser(user: UserRecord, trigger: RefreshTrigger): Promise<RefreshResult> {
    let running = this.inflight.get(user.id);
    if (!running) {
      running = this.refreshOnce(user, trigger).finally(() => this.inflight.delete(user.id));
      this.inflight.set(user.id, running);
    }
    return running;
  }

  /**
   * Before a start of `user`'s server with `profile`: refused with `auth_expired` when the user's
   * refresh failed for good; when the last refresh is a period old, refreshes first (refused with
   * `identity_provider_unavailable` when the provider cannot answer) and checks the profile
   * against the fresh groups (`profile_forbidden`). Users without a provider session (never signed
   * in through the provider, or its refresh token not given) go on with the groups they have.
   */
  async beforeStart(user: UserRecord, profile: ProfileConfig): Promise<void> {
    const session = await this.deps.store.oidcSessions.get(user.id);
    if (session === null) return;
    if (session.expired !== null) throw this.expiredError(user);
    if (session.refreshToken === null || !this.due(session)) return;
    const result = await this.refreshUser(user, 'start');
    if (result === 'expired') throw this.expiredError(user);
    if (result === 'unavailable') {
      throw new HubError('identity_provider_unavailable', `${this.deps.providerName} could not be reached to check the groups of ${user.name}; try again later.`);
    }
    const fresh = (await this.deps.store.users.getById(user.id)) ?? user;
    checkProfileAccess(profile, { name: fresh.name, admin: fresh.admin, groups: await this.deps.store.groups.groupNamesOf(fresh.id) });
  }

  /** Starts the periodic passes (every period, at most every minute). */
  start(): void {
    if (this.timer) return;
    const everyMs = Math.min(this.deps.periodSeconds, 60) * 1000;
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  /** Stops the passes and waits for one in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass;
    await Promise.allSettled([...this.inflight.values()]);
  }

  private now(): Date {
    return new Date(this.deps.clock());
  }

  private due(session: OidcSession): boolean {
    return session.refreshed.getTime() <= this.deps.clock() - this.deps.periodSeconds * 1000;
  }

  private expiredError(user: UserRecord): HubError {
    return new HubError('auth_expired', `The sign-in of ${user.name} at ${this.deps.providerName} has expired; sign in again to start a server.`);
  }

  private async runPass(): Promise<number> {
    const before = new Date(this.deps.clock() - this.deps.periodSeconds * 1000 + 1);
    let refreshed = 0;
    for (const session of await this.deps.store.oidcSessions.listDue(before)) {
      try {
        const user = await this.deps.store.users.getById(session.userId);
        if (user && (await this.refreshUser(user, 'periodic')) === 'refreshed') refreshed += 1;
      } catch (err) {
        this.deps.logger.warn({ userId: session.userId, err: err instanceof Error ? err.message : String(err) }, 'group refresh failed');
      }
    }
    return refreshed;
  }

  private async refreshOnce(user: UserRecord, trigger: RefreshTrigger): Promise<RefreshResult> {
    const { store, logger } = this.deps;
    const session = await store.oidcSessions.get(user.id);
    if (session === null || session.refreshToken === null || session.expired !== null) return 'skipped';
    const outcome = await this.deps.refresher.refresh({ username: user.name, refreshToken: session.refreshToken });
    const system = { kind: 'system' as const, name: null };
    if (!outcome.ok) {
      if (!outcome.expired) {
        logger.warn({ user: user.name, trigger, reason: outcome.reason }, 'group refresh: the provider could not answer; tried again later');
        return 'unavailable';
      }
      await store.oidcSessions.save({ ...session, refreshToken: null, expired: this.now(), expiredReason: outcome.reason });
      logger.warn({ user: user.name, trigger, reason: outcome.reason }, 'group refresh failed for good: the user must sign in again');
      await this.deps.audit?.record({ action: 'auth.refresh', user: user.name, actor: system, details: { method: 'oidc', trigger, failed: true, reason: outcome.reason } });
      return 'expired';
    }
    const change = await applyIdentity({ store, auth: this.deps.auth, logger }, user, outcome);
    await store.oidcSessions.save({ userId: user.id, refreshToken: outcome.refreshToken, refreshed: this.now(), expired: null, expiredReason: null });
    if (change.changed) {
      logger.info({ user: user.name, trigger, groups: change.groupsAfter, admin: change.user.admin }, 'groups refreshed');
      await this.deps.audit?.record({
        action: 'auth.refresh',
        user: user.name,
        actor: system,
        details: { method: 'oidc', trigger, groups: change.groupsAfter, groups_before: change.groupsBefore, admin: change.user.admin, admin_before: change.adminBefore },
      });
    }
    return 'refreshed';
  }
}
