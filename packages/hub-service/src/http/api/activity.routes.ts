import { Router } from 'express';
import type { HubContext } from '../context';
import type { ServerRecord } from '../../store/store';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { jsonObject } from '../validate';
import { requireAnyScope, userResource } from './scope-check';

/** Activity timestamps more than this far in the future are refused (protocol.md §5). */
const MAX_FUTURE_MS = 59 * 60 * 1000;

/** The shape of an ISO-8601 date or date-time, optionally with a zone (`Date` alone also parses e.g. `"1"` or `"May 1 2024"`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses an ISO-8601 timestamp (no zone ⇒ UTC); HubError naming `path` when invalid. */
export function parseTimestamp(value: unknown, path: string, nowMs: number): Date {
  if (typeof value !== 'string' || value.length > 64) throw new HubError('validation_failed', `Invalid ${path}: must be an ISO-8601 timestamp.`);
  if (!ISO_8601.test(value)) throw new HubError('validation_failed', `Invalid ${path}: ${JSON.stringify(value)} is not an ISO-8601 timestamp.`);
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const date = new Date(hasZone ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) throw new HubError('validation_failed', `Invalid ${path}: ${JSON.stringify(value)} is not an ISO-8601 timestamp.`);
  if (date.getTime() - nowMs > MAX_FUTURE_MS) throw new HubError('validation_failed', `Invalid ${path}: ${value} is more than 59 minutes in the future.`);
  return date;
}

/** `POST /users/:name/activity`: activity reports from single-user servers (protocol.md §3.3). */
export function activityRouter(ctx: HubContext): Router {
  const router = Router();
  router.post(
    '/users/:name/activity',
    asyncHandler(async (req, res) => {
      const name = param(req, 'name');
      requireAnyScope(req, ['users:activity'], await userResource(ctx, name));
      const body: unknown = req.body;
      const obj = jsonObject(body);
      const extra = Object.keys(obj).filter((k) => k !== 'last_activity' && k !== 'servers');
      if (extra.length) throw new HubError('unknown_field', `Unknown field "${extra[0]}" in body.`);
      if (obj.last_activity === undefined && obj.servers === undefined) throw new HubError('validation_failed', 'Send last_activity or servers.');
      const now = ctx.clock();
      const userActivity = obj.last_activity === undefined ? null : parseTimestamp(obj.last_activity, 'last_activity', now);
      const updates: { serverName: string; at: Date }[] = [];
      if (obj.servers !== undefined) {
        if (typeof obj.servers !== 'object' || obj.servers === null || Array.isArray(obj.servers)) throw new HubError('validation_failed', 'Invalid servers: must be an object.');
        for (const [serverName, entry] of Object.entries(obj.servers as Record<string, unknown>)) {
          if (typeof entry !== 'object' || entry === null) throw new HubError('validation_failed', `Invalid servers.${serverName}: must be an object.`);
          const at = parseTimestamp((entry as Record<string, unknown>).last_activity, `servers.${serverName}.last_activity`, now);
          updates.push({ serverName, at });
        }
      }
      const user = await ctx.users.get(name);
      const servers: { server: ServerRecord; at: Date }[] = [];
      for (const update of updates) {
        const server = await ctx.store.servers.get(user.id, update.serverName);
        // Every JupyterHub user has a default server, started or not: activity for it is accepted
        // (and counts for the user) even when clusterhub has no row for it yet.
        if (!server && update.serverName === '') continue;
        if (!server) throw new HubError('bad_request', `No such server: ${name}/${update.serverName}.`);
        servers.push({ server, at: update.at });
      }
      await ctx.store.transaction(async (tx) => {
        for (const { server, at } of servers) await tx.servers.touchActivity(server.id, at);
        const latest = [userActivity, ...updates.map((u) => u.at)].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
        if (latest) await tx.users.touchActivity(user.id, latest);
      });
      res.status(200).end();
    }),
  );
  return router;
}
