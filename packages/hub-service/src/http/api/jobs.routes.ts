import { Router, type Request } from 'express';
import type { UserRecord } from '../../store/store';
import type { BatchJobs } from '../../services/batch-jobs';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler, param } from '../async-handler';
import { requireIdentity } from '../auth-guard';
import { requireAnyScope, userResource } from './scope-check';

/**
 * The batch jobs API (issue 6 item 8, docs/batch-jobs.md), for the Lab's sbatch composer and scripts.
 * Every route acts on one hub user: the caller, or `?user=<name>` for a caller holding the scope on
 * that user (admins). JupyterHub's answer for scopes held only for others: 404; none at all: 403.
 * - `POST /clusterhub/jobs` (`jobs`): submit a job of a profile as the user; `dry_run: true` returns
 *   the rendered script, the estimated cost and Slurm's expected start, and submits nothing (200);
 *   a submission answers 201 with the job id.
 * - `GET /clusterhub/jobs` (`read:jobs`): the user's queue and recent jobs, from Slurm
 *   (`{user, jobs, unavailable}`: backends whose queue could not be read, with the reason).
 * - `DELETE /clusterhub/jobs/:id[?backend=]` (`jobs`): cancel one of the user's jobs (204); another
 *   user's job or an unknown one is 404 `job_not_found`.
 */
export function jobsRouter(ctx: HubContext, jobs: BatchJobs): Router {
  const router = Router();

  /** The hub user the request acts on, after the scope check. */
  const target = async (req: Request, scope: string): Promise<UserRecord> => {
    const identity = requireIdentity(req);
    const asked = req.query.user;
    if (asked !== undefined && typeof asked !== 'string') throw new HubError('invalid_query', 'Invalid query: user must be given once.', { details: { param: 'user' } });
    const name = asked ?? (identity.kind === 'user' ? identity.name : '');
    if (name === '') throw new HubError('invalid_query', 'Name the user whose jobs these are (?user=).', { details: { param: 'user' } });
    requireAnyScope(req, [scope], await userResource(ctx, name));
    const user = await ctx.store.users.getByName(name);
    if (!user) throw new HubError('not_found', `No such user: ${name}.`);
    return user;
  };

  router.post(
    '/clusterhub/jobs',
    asyncHandler(async (req, res) => {
      const user = await target(req, 'jobs');
      const groups = await ctx.store.groups.groupNamesOf(user.id);
      const result = await jobs.submit({ user, groups }, req.body);
      res.status('dry_run' in result ? 200 : 201).json(result);
    }),
  );

  router.get(
    '/clusterhub/jobs',
    asyncHandler(async (req, res) => {
      const user = await target(req, 'read:jobs');
      res.json({ user: user.name, ...(await jobs.list(user.name)) });
    }),
  );

  router.delete(
    '/clusterhub/jobs/:id',
    asyncHandler(async (req, res) => {
      const user = await target(req, 'jobs');
      const backend = req.query.backend;
      if (backend !== undefined && typeof backend !== 'string') throw new HubError('invalid_query', 'Invalid query: backend must be given once.', { details: { param: 'backend' } });
      await jobs.cancel(user.name, param(req, 'id'), backend);
      res.status(204).end();
    }),
  );

  return router;
}
