import type { Request, Response } from 'express';
import { serverPrefix } from '@clusterhub/shared';
import type { ServerRecord, UserRecord } from '../../store/store';
import type { ProgressWireEvent } from '../../services/progress';
import type { HubContext } from '../context';
import { HubError } from '../../errors';

/** Keep-alive period of the event stream (protocol.md §6). */
const KEEPALIVE_MS = 8000;

/**
 * Serves the spawn-progress event stream: replays the events so far, then follows live until the
 * final `ready`/`failed` event. A running server gets one ready event; a server neither starting
 * nor just failed is a 400 `server_not_starting`.
 */
export function streamProgress(ctx: HubContext, req: Request, res: Response, user: UserRecord, server: ServerRecord): void {
  const log = ctx.lifecycle.progressOf(server.id);
  const prefix = serverPrefix(user.name, server.name, ctx.config.hub.baseUrl);
  const readyEvent: ProgressWireEvent = {
    progress: 100,
    ready: true,
    message: `Server ready at ${prefix}`,
    html_message: `Server ready at <a href="${prefix}">${prefix}</a>`,
    url: prefix,
  };
  const starting = server.state === 'pending-start';
  if (!starting && server.state !== 'running' && !(log?.failed ?? false)) {
    throw new HubError('server_not_starting', `${user.name}/${server.name} is not starting.`);
  }
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  const send = (event: ProgressWireEvent): void => {
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  };
  if (!log || (server.state === 'running' && !starting && !log.failed && log.done)) {
    send(server.state === 'running' ? readyEvent : { failed: true, message: server.message ?? 'Spawn failed' });
    res.end();
    return;
  }
  for (const event of log.snapshot()) send(event);
  if (log.done) {
    res.end();
    return;
  }
  const keepalive = setInterval(() => res.write('\n\n'), KEEPALIVE_MS);
  const unsubscribe = log.subscribe((event) => {
    send(event);
    if (event.ready || event.failed) finish();
  });
  const finish = (): void => {
    clearInterval(keepalive);
    unsubscribe();
    res.end();
  };
  req.on('close', finish);
}
