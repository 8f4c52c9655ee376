/**
 * The end of every successful login (form or provider): the hub user is created on first login,
 * admin rights follow `auth.admins` and what the authenticator decided (its admin groups), else,
 * with `auth.adminGroups`, membership of those hub groups; the user's groups become those the
 * authenticator sent (when it sent any) — one place with the group refresh,
 * services/identity-update.ts — the provider's refresh token is kept for the group refresh (when
 * it sent one), then the browser session starts.
 */
import type { Request, Response } from 'express';
import type { AuthOutcome } from '../../authenticators/authenticator';
import { applyIdentity, sourceAdmin } from '../../services/identity-update';
import type { UserRecord } from '../../store/store';
import type { HubContext } from '../context';
import { startBrowserSession } from '../browser-session';

/** A successful {@link AuthOutcome}. */
export type AuthSuccess = Extract<AuthOutcome, { ok: true }>;

/**
 * Signs the user of `outcome` in (user, admin flag, groups, session cookie, activity, metrics) and
 * returns the hub user. `t0` is when the login began (for the login-duration metric).
 */
export async function completeLogin(ctx: HubContext, req: Request, res: Response, outcome: AuthSuccess, t0: number): Promise<UserRecord> {
  const deps = { store: ctx.store, auth: ctx.config.auth, logger: ctx.logger };
  const existing = await ctx.store.users.getByName(outcome.username);
  const created = existing ?? (await ctx.users.create(outcome.username, { admin: sourceAdmin(deps.auth, outcome.username, outcome) ?? false }));
  const { user } = await applyIdentity(deps, created, outcome);
  await ctx.groupRefresh?.signedIn(user, outcome.refreshToken ?? null);
  startBrowserSession(ctx, req, res, user.id);
  await ctx.store.users.touchActivity(user.id, new Date(ctx.clock()));
  ctx.metrics.observeLogin('success', (ctx.clock() - t0) / 1000);
  await ctx.audit?.record({
    action: 'login.success',
    user: user.name,
    actor: { kind: 'user', name: user.name },
    details: { method: ctx.config.auth.kind, admin: user.admin, ...(outcome.groups === undefined ? {} : { groups: outcome.groups }) },
  });
  ctx.logger.info({ user: user.name, ...(outcome.groups === undefined ? {} : { groups: outcome.groups }) }, 'login');
  return user;
}
