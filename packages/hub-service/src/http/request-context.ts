import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { fixedFieldsLogger, type Logger } from '../observability/logger';
import type { HubMetrics } from '../observability/metrics';

/**
 * First middleware of the hub: a request id (`X-Request-Id`, reused if the client sent a sane
 * one), `X-JupyterHub-Version` on every response, one structured log line per request (no
 * secrets: only the id, method, path without query, status and time are logged, so the line
 * needs no redaction pass) and the request-duration metric.
 */
export function requestContext(deps: { version: string; logger: Logger; metrics: HubMetrics }) {
  // The request line has fixed, credential-free fields (no headers, no query): no redaction pass.
  const requestLog = fixedFieldsLogger(deps.logger);
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const sent = req.headers['x-request-id'];
    const id = typeof sent === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(sent) ? sent : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.setHeader('X-JupyterHub-Version', deps.version);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const handler = typeof req.route === 'object' && req.route !== null && 'path' in req.route ? String((req.route as { path: unknown }).path) : 'other';
      deps.metrics.observeRequest({ method: req.method, handler: `${req.baseUrl}${handler}`, code: res.statusCode }, seconds);
      const path = req.originalUrl.split('?')[0];
      const level = res.statusCode >= 500 ? 'error' : 'info';
      requestLog[level]({ reqId: id, method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
    });
    next();
  };
}
