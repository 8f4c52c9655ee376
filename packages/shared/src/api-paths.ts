/**
 * URL builders for every hub route both sides use. The hub registers its routes from the same
 * templates, and the Lab extension builds its requests with these functions, so the two cannot drift.
 */

/** Percent-encodes the characters `encodeURIComponent` leaves but Python's `quote` does not. */
function quoteStrict(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Percent-encodes one path segment the way JupyterHub does (`quote(value, safe='@~')`): only
 * letters, digits, `_.-~` and `@` stay as they are; `/`, spaces, `+`, `:` and non-ASCII
 * (as UTF-8) are escaped.
 */
export function quoteSegment(segment: string): string {
  return quoteStrict(segment).replace(/%40/g, '@');
}

/** Joins a base URL ending in `/` with a relative path that does not start with `/`. */
function join(base: string, rel: string): string {
  return (base.endsWith('/') ? base : `${base}/`) + rel.replace(/^\//, '');
}

/** The hub prefix under a deployment base URL, e.g. `/` → `/hub/`. */
export function hubPrefix(baseUrl = '/'): string {
  return join(baseUrl, 'hub/');
}

/** The REST API root, e.g. `/hub/api`. */
export function apiRoot(baseUrl = '/'): string {
  return join(baseUrl, 'hub/api');
}

/** URL prefix of a user's server: `/user/alice/` or `/user/alice/gpu/`. */
export function serverPrefix(user: string, server = '', baseUrl = '/'): string {
  const userPart = join(baseUrl, `user/${quoteSegment(user)}/`);
  return server ? `${userPart}${quoteSegment(server)}/` : userPart;
}

/**
 * Proxy routespec of a user's server: the same path as {@link serverPrefix} but unescaped
 * (`/user/ann+lab@uni.example/`), because both proxies match routes against the decoded request
 * path, as configurable-http-proxy does.
 */
export function serverRoutespec(user: string, server = '', baseUrl = '/'): string {
  const userPart = join(baseUrl, `user/${user}/`);
  return server ? `${userPart}${server}/` : userPart;
}

/** The percent-quoted form of an unescaped path (each segment as {@link quoteSegment}; `/` kept), as JupyterHub shows routespecs. */
export function quotePath(path: string): string {
  return path.split('/').map(quoteSegment).join('/');
}

/** REST path of a user, relative to the API root (`/users/alice`). */
export function userPath(user: string): string {
  return `/users/${quoteSegment(user)}`;
}

/** REST path that starts/stops a server: `/users/alice/server` or `/users/alice/servers/gpu`. */
export function serverPath(user: string, server = ''): string {
  return server ? `${userPath(user)}/servers/${quoteSegment(server)}` : `${userPath(user)}/server`;
}

/** REST path of a server's progress event stream. */
export function progressPath(user: string, server = ''): string {
  return `${serverPath(user, server)}/progress`;
}

/** REST path of a server's culling state (warning in force, last culler action): `/clusterhub/users/alice/server/culling`. */
export function cullingPath(user: string, server = ''): string {
  return `/clusterhub${serverPath(user, server)}/culling`;
}

/** REST path that keeps a server alive (takes back an idle warning): `/clusterhub/users/alice/server/keep-alive`. */
export function keepAlivePath(user: string, server = ''): string {
  return `/clusterhub${serverPath(user, server)}/keep-alive`;
}

/** REST path of our own extension: the profiles the calling user may choose. */
export const PROFILES_PATH = '/clusterhub/profiles';

/** `/clusterhub/budgets/{user}`: the user's budgets this period (`read:budgets`). */
export function budgetsPath(user: string): string {
  return `/clusterhub/budgets/${quoteSegment(user)}`;
}

/**
 * OAuth client id of a user server, as JupyterHub builds it (`quote(name)`: `@` escaped too, since
 * the id is also the singleuser's cookie name and `@` is not allowed in cookie names).
 */
export function oauthClientId(user: string, server = ''): string {
  return server ? `jupyterhub-user-${quoteStrict(user)}-${quoteStrict(server)}` : `jupyterhub-user-${quoteStrict(user)}`;
}
