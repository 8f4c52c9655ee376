import type { Route, RouteData } from '../proxy';
import { ProxyError } from '../proxy';
import { chpPathToRoutespec } from './chp-paths';

/** Keys CHP adds to a route's data; everything else is the data the hub posted. */
const CHP_KEYS = new Set(['target', 'last_activity']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRouteDataValue(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function parseLastActivity(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const time = Date.parse(value);
  return Number.isFinite(time) ? new Date(time) : null;
}

/** One CHP route object ⇒ a Route; null when it has no string target. Non-scalar data values are dropped. */
export function chpRouteToRoute(chpPath: string, value: unknown): Route | null {
  if (!isPlainObject(value) || typeof value.target !== 'string') return null;
  const data: RouteData = {};
  for (const [key, item] of Object.entries(value)) {
    if (!CHP_KEYS.has(key) && isRouteDataValue(item)) data[key] = item;
  }
  return {
    routespec: chpPathToRoutespec(chpPath),
    target: value.target,
    data,
    lastActivity: parseLastActivity(value.last_activity),
  };
}

/** Parses the body of `GET /api/routes` into routes keyed by routespec; ProxyError when it is not a JSON object. */
export function parseChpRoutes(body: string): Map<string, Route> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ProxyError('CHP answered GET /api/routes with invalid JSON');
  }
  if (!isPlainObject(parsed)) throw new ProxyError('CHP answered GET /api/routes with something other than an object');
  const routes = new Map<string, Route>();
  for (const [chpPath, value] of Object.entries(parsed)) {
    const route = chpRouteToRoute(chpPath, value);
    if (route !== null) routes.set(route.routespec, route);
  }
  return routes;
}

/** The POST body for a route: the hub's data plus `target`. Throws RangeError if data uses a CHP key. */
export function chpRouteBody(target: string, data: RouteData): Record<string, unknown> {
  for (const key of CHP_KEYS) {
    if (Object.prototype.hasOwnProperty.call(data, key)) {
      throw new RangeError(`Route data must not contain '${key}' (configurable-http-proxy owns it)`);
    }
  }
  return { ...data, target };
}
