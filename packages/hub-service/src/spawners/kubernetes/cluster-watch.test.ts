import { watchErrorInWords } from './cluster-watch';

/** An error as client-node throws it for an HTTP answer: `code` the status, `body` the answer's text. */
function apiError(code: number, message: string): Error & { code: number; body: string } {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });
  return Object.assign(new Error(`HTTP-Code: ${code}\nMessage: Unknown API Status Code!\nBody: ${JSON.stringify(body)}\nHeaders: {"date":"Tue, 01 Dec 2026 01:48:01 GMT"}`), { code, body });
}

describe('watchErrorInWords', () => {
  const forbiddenPods = apiError(403, 'pods is forbidden: User "system:serviceaccount:hub:hub" cannot list resource "pods" in API group "" at the cluster scope');

  it('names the cluster-wide pod read that capacityPods: cluster needs, and how to grant it, then the API server\'s message (not the answer\'s headers)', () => {
    expect(watchErrorInWords(forbiddenPods, 'pods', 'cluster', 'jhub')).toBe(
      'the hub may not list and watch pods in all namespaces, which kubernetes.capacityPods: cluster needs (the chart\'s rbac.readAllPods grants it; or set capacityPods: namespace): ' +
        'pods is forbidden: User "system:serviceaccount:hub:hub" cannot list resource "pods" in API group "" at the cluster scope',
    );
    // A body that is no Status: the error as the client wrote it.
    const odd = Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: '<html>' });
    expect(watchErrorInWords(odd, 'pods', 'cluster', 'jhub')).toMatch(/: Error: HTTP-Code: 403$/);
  });

  it('names the namespace for a refused namespaced read, and nodes for a refused node read', () => {
    expect(watchErrorInWords(forbiddenPods, 'pods', 'namespace', 'jhub')).toMatch(/^the hub may not list and watch pods in its namespace jhub: /);
    const nodes = watchErrorInWords(apiError(403, 'nodes is forbidden: User "x" cannot list resource "nodes"'), 'nodes', 'cluster', 'jhub');
    expect(nodes).toMatch(/^the hub may not list and watch nodes \(the chart's rbac\.readNodes grants it\): .*nodes is forbidden/);
  });

  it('gives any other failure as the client wrote it', () => {
    const err = new Error('connect ECONNREFUSED 127.0.0.1:6443');
    expect(watchErrorInWords(err, 'pods', 'cluster', 'jhub')).toBe(String(err));
    expect(watchErrorInWords(apiError(500, 'boom'), 'nodes', 'namespace', 'jhub')).toContain('HTTP-Code: 500');
  });
});
