import type { NextFunction, Request, Response } from 'express';
import type { ApiErrorBody } from '@clusterhub/shared';
import { HubError } from '../errors';
import type { Logger } from '../observability/logger';
import { renderError } from './pages/error';
import type { PageUser } from './pages/layout';
import { requestAuth } from './auth-guard';

/** The signed-in user of a page request (as authenticated so far), for the page header; undefined when anonymous or a service. */
export function pageUserOf(req: Request): PageUser | undefined {
  const identity = requestAuth(req).identity;
  if (identity?.kind !== 'user') return undefined;
  return { name: identity.name, admin: identity.user?.admin ?? false };
}

/** Express's own errors carry a status (e.g. body-parser's 413). */
function expressStatus(err: unknown): number | null {
  if (typeof err === 'object' && err !== null && 'status' in err && typeof (err as { status: unknown }).status === 'number') return (err as { status: number }).status;
  return null;
}

/**
 * Turns any error into the hub's answer: JSON `{code, message, status, details?}` for API paths,
 * an HTML error page for browser pages. Unexpected errors are logged and answered 500 without
 * internals.
 */
export function errorHandler(deps: { logger: Logger; apiPrefix: string; hubPrefix: string }) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    let hubError: HubError;
    if (err instanceof HubError) hubError = err;
    else if (expressStatus(err) === 413) hubError = new HubError('payload_too_large');
    else if (expressStatus(err) === 400) hubError = new HubError('bad_request', 'The request could not be read.');
    else {
      deps.logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), path: req.originalUrl.split('?')[0] }, 'unhandled error');
      hubError = new HubError('internal_error');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(hubError.options.headers ?? {})) res.setHeader(k, v);
    res.status(hubError.status);
    const isApi = req.originalUrl.startsWith(deps.apiPrefix) || (req.headers.accept ?? '').includes('application/json');
    if (isApi) {
      const body: ApiErrorBody = { code: hubError.code, message: hubError.message, status: hubError.status, ...(hubError.options.details ? { details: hubError.options.details } : {}) };
      res.json(body);
      return;
    }
    res.type('html').send(renderError({ baseHubUrl: deps.hubPrefix, status: hubError.status, message: hubError.message, user: pageUserOf(req) }));
  };
}
