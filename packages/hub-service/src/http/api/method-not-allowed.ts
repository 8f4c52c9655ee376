import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { HubError } from '../../errors';

/**
 * The parts of an express 5 router layer this module reads: `match(path)` and, for route
 * layers, the route's methods; a mounted router is a layer whose handle has its own `stack`.
 * Not in express's type declarations, so checked at run time (the API tests cover it).
 */
interface LayerView {
  match(path: string): unknown;
  route?: { methods?: Record<string, boolean> };
  handle?: { stack?: unknown };
}

function isLayerView(value: unknown): value is LayerView {
  return typeof value === 'object' && value !== null && typeof (value as { match?: unknown }).match === 'function';
}

/** Methods some route of `stack` (recursively through routers mounted at `/`) serves for `path`. */
function methodsFor(stack: unknown, path: string, out: Set<string>): void {
  if (!Array.isArray(stack)) return;
  for (const layer of stack) {
    if (!isLayerView(layer) || !layer.match(path)) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods ?? {})) if (on && method !== '_all') out.add(method.toUpperCase());
    } else if (layer.handle && Array.isArray(layer.handle.stack)) {
      methodsFor(layer.handle.stack, path, out);
    }
  }
}

/**
 * Fallback placed after every API route of `router`: a path that some route serves, requested
 * with a method none of them declares, is answered 405 `method_not_allowed` with an `Allow`
 * header listing the methods that path does serve (JupyterHub answers 405 there too); other
 * unmatched requests go on (to the JSON 404). `OPTIONS` on such a path is answered 200 with
 * `Allow` (JupyterHub answers OPTIONS 200; express answers it itself, with the same status, for
 * paths of the routers mounted below the API router).
 */
export function methodNotAllowed(router: Router): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const methods = new Set<string>();
    methodsFor(router.stack, req.path, methods);
    if (methods.size === 0) {
      next();
      return;
    }
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    const allow = [...methods].sort().join(', ');
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow);
      res.status(200).end();
      return;
    }
    next(new HubError('method_not_allowed', `${req.method} is not allowed on ${req.path}; allowed: ${allow}.`, { headers: { Allow: allow } }));
  };
}
