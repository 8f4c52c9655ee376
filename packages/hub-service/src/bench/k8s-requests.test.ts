import { isWrite, requestKind } from './k8s-requests';

describe('requestKind (the Kubernetes benchmark counts the hub’s API requests by kind)', () => {
  test.each([
    ['GET', '/api/v1/namespaces/hub/pods?labelSelector=a%3Db', 'list pods'],
    ['GET', '/api/v1/namespaces/hub/pods?watch=true&resourceVersion=5', 'watch pods'],
    ['GET', '/api/v1/namespaces/hub/pods?watch=1', 'watch pods'],
    ['GET', '/api/v1/namespaces/hub/pods/jupyter-alice', 'get pods'],
    ['POST', '/api/v1/namespaces/hub/pods', 'create pods'],
    ['PATCH', '/api/v1/namespaces/hub/pods/jupyter-alice/status', 'patch pods/status'],
    ['DELETE', '/api/v1/namespaces/hub/pods/jupyter-alice', 'delete pods'],
    ['DELETE', '/api/v1/namespaces/hub/pods?labelSelector=x', 'deletecollection pods'],
    ['GET', '/api/v1/nodes?watch=true', 'watch nodes'],
    ['GET', '/api/v1/nodes/gpu-0', 'get nodes'],
    ['GET', '/apis/events.k8s.io/v1/namespaces/hub/events', 'list events'],
    ['PUT', '/api/v1/namespaces/hub/persistentvolumeclaims/claim-alice', 'put persistentvolumeclaims'],
    ['GET', '/api/v1/namespaces/hub', 'get namespaces'],
  ])('%s %s is %s', (method, url, kind) => {
    expect(requestKind(method, url)).toBe(kind);
  });

  test('writes are the kinds that change something', () => {
    expect(['create pods', 'patch pods/status', 'put persistentvolumeclaims', 'delete pods', 'deletecollection pods'].every(isWrite)).toBe(true);
    expect(['list pods', 'watch pods', 'get nodes'].some(isWrite)).toBe(false);
  });
});
