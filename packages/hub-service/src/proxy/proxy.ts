/**
 * The Proxy port: the routing table of the public proxy. Two adapters: the built-in Node
 * HTTP/WebSocket proxy (proxy/builtin) and an external configurable-http-proxy driven through its
 * REST API (proxy/chp). Both pass the contract suite in `proxy/proxy.contract.ts`.
 *
 * Routespecs are paths ending in `/` (`/`, `/user/alice/`, `/user/alice/gpu/`), unescaped.
 * A route's target is `proto://host:port` with no path: the proxy forwards the full original path.
 * `data` is opaque to the proxy and echoed back; the hub marks its routes with `jupyterhub: true`
 * and never touches routes without that marker.
 */
export interface Proxy {
  /** `builtin` or `chp`. */
  readonly kind: string;
  /** Starts listening (built-in) or checks the API is reachable (chp). */
  start(): Promise<void>;
  /** Stops listening (built-in) or releases connections (chp). Routes are kept by CHP. */
  stop(): Promise<void>;
  /**
   * Adds or replaces the route; its `lastActivity` becomes now. Rejects with RangeError for a
   * malformed routespec or target, ProxyError when the proxy refuses or cannot be reached.
   */
  addRoute(routespec: string, target: string, data: RouteData): Promise<void>;
  /** Deletes the route; a route that is already absent is not an error. */
  deleteRoute(routespec: string): Promise<void>;
  /** Every route, keyed by routespec (with trailing `/`). */
  getAllRoutes(): Promise<Map<string, Route>>;
}

/** Data stored with a route (JupyterHub's markers: `hub`, `user`, `server_name`, `jupyterhub`). */
export type RouteData = Record<string, string | number | boolean | null>;

/** One route as the proxy reports it. */
export interface Route {
  readonly routespec: string;
  readonly target: string;
  readonly data: RouteData;
  /** Last time traffic went through the route (successful responses and websocket frames), or null. */
  readonly lastActivity: Date | null;
}

/** Thrown when the proxy (CHP's API) cannot be reached or answers an error. */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
}
