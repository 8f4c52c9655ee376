/**
 * The end of every successful login (form or provider): the hub user is created on first login,
 * admin rights follow `auth.admins` and what the authenticator decided (its admin groups), else,
 * with `auth.adminGroups`, membership of those hub groups; the user's groups become those the
 * authenticator sent (when it sent any), then the browser session starts.
 */
import type { Request, Response } from 'express';
import { isValidGroupName } from '@clusterhub/shared';
import type { AuthOutcome } from '../../authenticators/authenticator';
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
  const listed = ctx.config.auth.admins.includes(outcome.username);
  const admin = listed || outcome.admin === true ? true : outcome.admin;
  let user = await ctx.store.users.getByName(outcome.username);
  user ??= await ctx.users.create(outcome.username, { admin: admin ?? false });
  if (admin !== undefined && user.admin !== admin) user = (await ctx.store.users.update(user.id, { admin })) ?? user;
  if (outcome.groups !== undefined) {
    const groups = outcome.groups.filter(isValidGroupName);
    const skipped = outcome.groups.filter((g) => !isValidGroupName(g));
    if (skipped.length > 0) ctx.logger.warn({ user: user.name, skipped }, 'login: group names not valid on this hub were left out');
    await ctx.store.groups.setUserGroups(user.id, groups);
  }
  const adminGroups = ctx.config.auth.adminGroups;
  if (admin === undefined && adminGroups.length > 0) {
    // The hub's own groups decide (local accounts, PAM): admins while they are members, at each login.
    const member = (await ctx.store.groups.groupNamesOf(user.id)).some((g) => adminGroups.includes(g));
    if (user.admin !== member) user = (await ctx.store.users.update(user.id, { admin: member })) ?? user;
  }
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
