/**
 * Conversion between the hub's routespecs (`/user/alice/`, unescaped, trailing `/`) and
 * configurable-http-proxy's route paths (`/user/alice`, no trailing `/` except the root `/`).
 */

/** `/user/alice/` ⇒ `/user/alice`; `/` stays `/`. */
export function routespecToChpPath(routespec: string): string {
  return routespec.length > 1 && routespec.endsWith('/') ? routespec.slice(0, -1) : routespec;
}

/** A key of CHP's `GET /api/routes` (`/user/alice`, unescaped) ⇒ `/user/alice/`. */
export function chpPathToRoutespec(chpPath: string): string {
  const withSlash = chpPath.startsWith('/') ? chpPath : `/${chpPath}`;
  return withSlash.endsWith('/') ? withSlash : `${withSlash}/`;
}

/**
 * The API path for one route: `/api/routes` plus the CHP path with each segment percent-encoded
 * (CHP decodes it back). The root route is `/api/routes/`.
 */
export function chpRouteApiPath(routespec: string): string {
  const chpPath = routespecToChpPath(routespec);
  if (chpPath === '/') return '/api/routes/';
  return `/api/routes${chpPath.split('/').map(encodeURIComponent).join('/')}`;
}
