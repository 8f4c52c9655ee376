import { BuiltinProxy } from './builtin/builtin-proxy';
import type { Route } from './proxy';
import { ProxyError } from './proxy';
import { silentProxyLogger } from './proxy-deps';
import { diffRoutes, RouteReconciler, type DesiredRoute } from './route-reconciler';
import { waitFor } from './testing/backends';

const HUB = 'http://127.0.0.1:8081';
const route = (routespec: string, target: string, data: Route['data']): Route => ({ routespec, target, data, lastActivity: null });

describe('diffRoutes', () => {
  it('adds missing routes, re-points changed ones, removes stale hub routes and ignores foreign ones', () => {
    const desired = new Map<string, DesiredRoute>([
      ['/', { target: HUB, data: { hub: true, jupyterhub: true } }],
      ['/user/a/', { target: 'http://127.0.0.1:1', data: { user: 'a', server_name: '', jupyterhub: true } }],
      ['/user/b/', { target: 'http://127.0.0.1:2', data: { user: 'b', server_name: '', jupyterhub: true } }],
      ['/user/c/', { target: 'http://127.0.0.1:3', data: { user: 'c', server_name: '', jupyterhub: true } }],
    ]);
    const actual = new Map<string, Route>([
      ['/', route('/', HUB, { hub: true, jupyterhub: true })],
      ['/user/b/', route('/user/b/', 'http://127.0.0.1:9', { user: 'b', server_name: '', jupyterhub: true })],
      ['/user/c/', route('/user/c/', 'http://127.0.0.1:3', { user: 'c', server_name: 'x', jupyterhub: true })],
      ['/user/stale/', route('/user/stale/', 'http://127.0.0.1:4', { user: 'stale', jupyterhub: true })],
      ['/foreign/', route('/foreign/', 'http://127.0.0.1:5', {})],
      ['/not-ours/', route('/not-ours/', 'http://127.0.0.1:6', { jupyterhub: 'yes' })],
    ]);
    const diff = diffRoutes(desired, actual);
    expect(diff.add.map((a) => a.routespec)).toEqual(['/user/a/', '/user/b/', '/user/c/']);
    expect(diff.add[1]).toEqual({ routespec: '/user/b/', target: 'http://127.0.0.1:2', data: { user: 'b', server_name: '', jupyterhub: true } });
    expect(diff.remove).toEqual(['/user/stale/']);
  });

  it('replaces a desired route that exists without the hub marker', () => {
    const desired = new Map<string, DesiredRoute>([['/', { target: HUB, data: { hub: true, jupyterhub: true } }]]);
    const actual = new Map<string, Route>([['/', route('/', HUB, {})]]);
    expect(diffRoutes(desired, actual).add).toHaveLength(1);
  });

  it('is empty when everything matches', () => {
    const desired = new Map<string, DesiredRoute>([['/', { target: HUB, data: { hub: true, jupyterhub: true } }]]);
    const actual = new Map<string, Route>([['/', route('/', HUB, { jupyterhub: true, hub: true })]]);
    expect(diffRoutes(desired, actual)).toEqual({ add: [], remove: [] });
  });
});

describe('RouteReconciler', () => {
  const now = 5_000;
  const makeProxy = (): BuiltinProxy => new BuiltinProxy({ ip: '127.0.0.1', port: 0, clock: () => now });

  it('applies the diff and hands hub-owned route activity to onActivity first', async () => {
    const proxy = makeProxy();
    await proxy.addRoute('/user/stale/', 'http://127.0.0.1:4', { user: 'stale', server_name: '', jupyterhub: true });
    await proxy.addRoute('/foreign/', 'http://127.0.0.1:5', { owner: 'x' });
    const seen: Route[][] = [];
    const desired = new Map<string, DesiredRoute>([['/', { target: HUB, data: { hub: true, jupyterhub: true } }]]);
    const reconciler = new RouteReconciler({
      proxy,
      desired: async () => desired,
      onActivity: async (routes) => {
        seen.push(routes);
      },
      intervalMs: 60_000,
      logger: silentProxyLogger(),
    });
    expect(await reconciler.checkRoutes()).toEqual({ added: ['/'], removed: ['/user/stale/'] });
    expect(seen[0]?.map((r) => r.routespec)).toEqual(['/user/stale/']);
    expect(seen[0]?.[0]?.lastActivity).toEqual(new Date(5_000));
    expect([...(await proxy.getAllRoutes()).keys()].sort()).toEqual(['/', '/foreign/']);
    expect(await reconciler.checkRoutes()).toEqual({ added: [], removed: [] });
  });

  it('never overlaps runs and coalesces calls made during a run', async () => {
    const proxy = makeProxy();
    let active = 0;
    let peak = 0;
    let runs = 0;
    const reconciler = new RouteReconciler({
      proxy,
      desired: async () => {
        active++;
        runs++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 10));
        active--;
        return new Map();
      },
      intervalMs: 60_000,
      logger: silentProxyLogger(),
    });
    await Promise.all([reconciler.checkRoutes(), reconciler.checkRoutes(), reconciler.checkRoutes(), reconciler.checkRoutes()]);
    expect(peak).toBe(1);
    expect(runs).toBe(2);
  });

  it('applies what it can and rejects with ProxyError listing what failed', async () => {
    const proxy = makeProxy();
    const reconciler = new RouteReconciler({
      proxy,
      desired: async () =>
        new Map<string, DesiredRoute>([
          ['/good/', { target: HUB, data: { jupyterhub: true } }],
          ['/bad/', { target: 'ftp://nope', data: { jupyterhub: true } }],
        ]),
      onActivity: async () => {
        throw new Error('store down');
      },
      intervalMs: 60_000,
      logger: silentProxyLogger(),
    });
    await expect(reconciler.checkRoutes()).rejects.toThrow(ProxyError);
    await expect(reconciler.checkRoutes()).rejects.toThrow(/add \/bad\//);
    expect((await proxy.getAllRoutes()).has('/good/')).toBe(true);
  });

  it('runs on its timer after start and not after stop', async () => {
    const proxy = makeProxy();
    let runs = 0;
    const reconciler = new RouteReconciler({
      proxy,
      desired: async () => {
        runs++;
        return new Map<string, DesiredRoute>([['/', { target: HUB, data: { jupyterhub: true } }]]);
      },
      intervalMs: 10,
      logger: silentProxyLogger(),
    });
    reconciler.start();
    expect(await waitFor(async () => runs >= 2)).toBe(true);
    await reconciler.stop();
    const stoppedAt = runs;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(stoppedAt);
    expect((await proxy.getAllRoutes()).has('/')).toBe(true);
  });
});
