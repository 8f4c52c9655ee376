import { watchErrorInWords } from './cluster-watch';

/** An error as client-node throws it for an HTTP answer (its `code` is the status). */
function apiError(code: number, body: string): Error & { code: number } {
  return Object.assign(new Error(`HTTP-Code: ${code} Message: Unknown API Status Code! Body: ${body}`), { code });
}

describe('watchErrorInWords', () => {
  const forbiddenPods = apiError(403, '"pods is forbidden: User \\"system:serviceaccount:hub:hub\\" cannot list resource \\"pods\\" in API group \\"\\" at the cluster scope"');

  it('names the cluster-wide pod read that capacityPods: cluster needs, and how to grant it, keeping the API server\'s words', () => {
    const words = watchErrorInWords(forbiddenPods, 'pods', 'cluster', 'jhub');
    expect(words).toMatch(/^the hub may not list and watch pods in all namespaces, which kubernetes\.capacityPods: cluster needs \(the chart's rbac\.readAllPods grants it; or set capacityPods: namespace\): /);
    expect(words).toContain('at the cluster scope');
  });

  it('names the namespace for a refused namespaced read, and nodes for a refused node read', () => {
    expect(watchErrorInWords(forbiddenPods, 'pods', 'namespace', 'jhub')).toMatch(/^the hub may not list and watch pods in its namespace jhub: /);
    const nodes = watchErrorInWords(apiError(403, '"nodes is forbidden"'), 'nodes', 'cluster', 'jhub');
    expect(nodes).toMatch(/^the hub may not list and watch nodes \(the chart's rbac\.readNodes grants it\): .*nodes is forbidden/);
  });

  it('gives any other failure as the client wrote it', () => {
    const err = new Error('connect ECONNREFUSED 127.0.0.1:6443');
    expect(watchErrorInWords(err, 'pods', 'cluster', 'jhub')).toBe(String(err));
    expect(watchErrorInWords(apiError(500, 'boom'), 'nodes', 'namespace', 'jhub')).toContain('HTTP-Code: 500');
  });
});
