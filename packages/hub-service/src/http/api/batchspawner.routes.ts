import { Router } from 'express';
import type { HubContext } from '../context';
import { HubError } from '../../errors';
import { asyncHandler } from '../async-handler';
import { requireIdentity } from '../auth-guard';
import { jsonObject } from '../validate';

/**
 * `POST /batchspawner`: the port a server started inside a batch job reports back, sent by
 * batchspawner's `batchspawner-singleuser` with the server's own API token and `{"port": N}`
 * (the real wrapper works unchanged; like batchspawner's handler, other keys are ignored). The
 * server is the one the token belongs to; only a start in progress accepts a report.
 */
export function batchspawnerRouter(ctx: HubContext): Router {
  const router = Router();
  router.post(
    '/batchspawner',
    asyncHandler(async (req, res) => {
      const identity = requireIdentity(req);
      const token = identity.token;
      if (!token || token.kind !== 'server' || token.serverId === null) {
        throw new HubError('forbidden', "Only a server's own token can report its port.");
      }
      const port = jsonObject(req.body).port;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new HubError('validation_failed', 'Invalid port: must be an integer from 1 to 65535.');
      }
      if (!ctx.lifecycle.reports.report(token.serverId, port)) {
        throw new HubError('server_not_starting', 'This server is not starting: no port report is expected.');
      }
      ctx.logger.info({ server: token.serverId, port }, 'server reported its port');
      res.status(201).json({ message: 'BatchSpawner data configured' });
    }),
  );
  return router;
}
