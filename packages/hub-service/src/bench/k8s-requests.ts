/**
 * The Kubernetes benchmark's request counting (scripts/bench/k8s-relay.mjs): what kind of API
 * request a method and URL are, and whether it changes something.
 */

/**
 * The kind of a Kubernetes API request: its verb and resource, e.g. `list pods`, `watch pods`,
 * `create pods`, `patch pods/status`, `get persistentvolumeclaims`, `deletecollection pods`.
 * Namespaced and cluster-wide paths, core (`/api/v1`) and grouped (`/apis/{group}/{version}`) APIs.
 */
export function requestKind(method: string, rawUrl: string): string {
  const url = new URL(rawUrl, 'http://relay');
  const parts = url.pathname.split('/').filter(Boolean);
  const rest = parts[0] === 'apis' ? parts.slice(3) : parts.slice(2);
  const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  const [resource = url.pathname, name, sub] = scoped;
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const upper = method.toUpperCase();
  const verb =
    upper === 'GET' ? (watch ? 'watch' : name !== undefined ? 'get' : 'list') : upper === 'POST' ? 'create' : upper === 'DELETE' ? (name !== undefined ? 'delete' : 'deletecollection') : upper.toLowerCase();
  return `${verb} ${resource}${sub !== undefined ? `/${sub}` : ''}`;
}

/** True for kinds that change something (create, put, patch, delete, deletecollection). */
export function isWrite(kind: string): boolean {
  return /^(create|put|patch|delete|deletecollection) /.test(kind);
}
