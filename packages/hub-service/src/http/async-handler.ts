import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Wraps an async route handler so a rejection reaches the error middleware. */
export function asyncHandler(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };
}

/** A route parameter as a string (express 5 types them loosely). */
export function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}
