import { ProxyError } from '../proxy';
import { chpRouteBody, parseChpRoutes } from './chp-routes';

describe('CHP route parsing', () => {
  it('turns GET /api/routes into routes keyed by routespec', () => {
    const body = JSON.stringify({
      '/': { hub: true, jupyterhub: true, target: 'http://127.0.0.1:8081', last_activity: '2026-08-20T12:00:00.000Z' },
      '/user/alice': { user: 'alice', server_name: '', jupyterhub: true, target: 'http://127.0.0.1:50123', extra: { nested: 1 } },
      '/broken': { no: 'target' },
    });
    const routes = parseChpRoutes(body);
    expect([...routes.keys()]).toEqual(['/', '/user/alice/']);
    expect(routes.get('/')).toEqual({
      routespec: '/',
      target: 'http://127.0.0.1:8081',
      data: { hub: true, jupyterhub: true },
      lastActivity: new Date('2026-08-20T12:00:00.000Z'),
    });
    expect(routes.get('/user/alice/')?.data).toEqual({ user: 'alice', server_name: '', jupyterhub: true });
    expect(routes.get('/user/alice/')?.lastActivity).toBeNull();
  });

  it('rejects bodies that are not a JSON object', () => {
    expect(() => parseChpRoutes('nope')).toThrow(ProxyError);
    expect(() => parseChpRoutes('[]')).toThrow(ProxyError);
  });

  it('builds POST bodies and refuses data keys CHP owns', () => {
    expect(chpRouteBody('http://x:1', { user: 'a', jupyterhub: true })).toEqual({ user: 'a', jupyterhub: true, target: 'http://x:1' });
    expect(() => chpRouteBody('http://x:1', { target: 'y' })).toThrow(RangeError);
    expect(() => chpRouteBody('http://x:1', { last_activity: 'y' })).toThrow(RangeError);
  });
});
