/**
 * The CHP adapter against a real configurable-http-proxy 5.3: the Proxy contract suite, then the
 * compatibility checks T1–T5 of protocol.md §13 driven through the route reconciler.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ChpProxy } from '../src/proxy/chp/chp-proxy';
import { ProxyError, type Route } from '../src/proxy/proxy';
import { describeProxyContract } from '../src/proxy/proxy.contract';
import { silentProxyLogger } from '../src/proxy/proxy-deps';
import { RouteReconciler, type DesiredRoute } from '../src/proxy/route-reconciler';
import { httpRequest, jsonBody, startEchoBackend, type EchoReply, type TestBackend } from '../src/proxy/testing/backends';
import { startChp, type ChpProcess } from '../src/proxy/testing/chp-process';

// Starting node processes on a busy CI machine can take a while; the jest project config's testTimeout is not applied.
jest.setTimeout(60_000);

const newToken = (): string => randomBytes(16).toString('hex');

describeProxyContract('configurable-http-proxy', async () => {
  const chp = await startChp({ authToken: newToken() });
  const proxy = new ChpProxy({ apiUrl: chp.apiUrl, authToken: chp.authToken });
  await proxy.start();
  return {
    proxy,
    publicUrl: chp.publicUrl,
    teardown: async () => {
      await proxy.stop();
      await chp.stop();
    },
  };
});

/** CHP's own view of its routes (keys without trailing slash). */
async function chpRoutes(chp: ChpProcess, query = ''): Promise<Record<string, Record<string, unknown>>> {
  const response = await httpRequest(`${chp.apiUrl}/api/routes${query}`, { headers: { authorization: `token ${chp.authToken}` } });
  expect(response.status).toBe(200);
  return jsonBody<Record<string, Record<string, unknown>>>(response);
}

async function clockPast(time: number): Promise<void> {
  for (let i = 0; i < 100 && Date.now() <= time + 1; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('configurable-http-proxy compatibility (protocol §13 T1–T5)', () => {
  let chp: ChpProcess;
  let proxy: ChpProxy;
  let hub: TestBackend;
  let alice: TestBackend;
  let reconciler: RouteReconciler;
  const desired = new Map<string, DesiredRoute>();
  const activity: Route[][] = [];

  beforeAll(async () => {
    [hub, alice] = await Promise.all([startEchoBackend('hub'), startEchoBackend('alice')]);
    chp = await startChp({ authToken: newToken() });
    proxy = new ChpProxy({ apiUrl: chp.apiUrl, authToken: chp.authToken });
    await proxy.start();
    reconciler = new RouteReconciler({
      proxy,
      desired: async () => desired,
      onActivity: async (routes) => {
        activity.push(routes);
      },
      intervalMs: 3_600_000,
      logger: silentProxyLogger(),
    });
  });

  afterAll(async () => {
    await reconciler.stop();
    await proxy.stop();
    await chp.stop();
    await Promise.all([hub.close(), alice.close()]);
  });

  it('T1: installs the hub as the `/` route marked {hub, jupyterhub} and reaches it', async () => {
    desired.set('/', { target: hub.url, data: { hub: true, jupyterhub: true } });
    const result = await reconciler.checkRoutes();
    expect(result.added).toEqual(['/']);
    const routes = await chpRoutes(chp);
    expect(routes['/']).toMatchObject({ hub: true, jupyterhub: true, target: hub.url });
    const reply = jsonBody<EchoReply>(await httpRequest(`${chp.publicUrl}/hub/home?x=1`));
    expect(reply.backend).toBe('hub');
    expect(reply.url).toBe('/hub/home?x=1');
  });

  it('T2: user routes carry user/server_name and forward the full path; foreign routes survive, stale ones go', async () => {
    desired.set('/user/alice/', { target: alice.url, data: { user: 'alice', server_name: '', jupyterhub: true } });
    await proxy.addRoute('/user/stale/', alice.url, { user: 'stale', server_name: '', jupyterhub: true });
    const foreign = await httpRequest(`${chp.apiUrl}/api/routes/foreign`, {
      method: 'POST',
      headers: { authorization: `token ${chp.authToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target: alice.url, owner: 'someone else' }),
    });
    expect(foreign.status).toBe(201);

    const result = await reconciler.checkRoutes();
    expect(result).toEqual({ added: ['/user/alice/'], removed: ['/user/stale/'] });
    const routes = await chpRoutes(chp);
    expect(routes['/user/alice']).toMatchObject({ user: 'alice', server_name: '', jupyterhub: true, target: alice.url });
    expect(new URL(String(routes['/user/alice']?.target)).pathname).toBe('/');
    expect(routes['/foreign']).toMatchObject({ owner: 'someone else' });
    expect(routes['/user/stale']).toBeUndefined();
    expect((await proxy.getAllRoutes()).get('/foreign/')?.data).toEqual({ owner: 'someone else' });

    const reply = jsonBody<EchoReply>(await httpRequest(`${chp.publicUrl}/user/alice/x/y?z=1`));
    expect(reply.backend).toBe('alice');
    expect(reply.url).toBe('/user/alice/x/y?z=1');

    desired.delete('/user/alice/');
    expect(await reconciler.checkRoutes()).toEqual({ added: [], removed: ['/user/alice/'] });
    expect((await chpRoutes(chp))['/user/alice']).toBeUndefined();
    expect(jsonBody<EchoReply>(await httpRequest(`${chp.publicUrl}/user/alice/x`)).backend).toBe('hub');
    expect((await chpRoutes(chp))['/foreign']).toBeDefined();
  });

  it('T3: traffic moves last_activity into onActivity, and inactive_since filters', async () => {
    desired.set('/user/alice/', { target: alice.url, data: { user: 'alice', server_name: '', jupyterhub: true } });
    await reconciler.checkRoutes();
    const added = (await proxy.getAllRoutes()).get('/user/alice/')?.lastActivity;
    if (!added) throw new Error('new route has no last_activity');
    await clockPast(Math.max(added.getTime(), Date.parse(String((await chpRoutes(chp))['/']?.last_activity))));
    const cutoff = new Date();
    await clockPast(cutoff.getTime());
    expect((await httpRequest(`${chp.publicUrl}/user/alice/api/status`)).status).toBe(200);

    activity.length = 0;
    await reconciler.checkRoutes();
    const reported = activity.flat().find((route) => route.routespec === '/user/alice/');
    expect(reported?.data).toMatchObject({ user: 'alice', server_name: '' });
    expect(reported?.lastActivity?.getTime()).toBeGreaterThan(cutoff.getTime());
    expect(activity.flat().some((route) => route.routespec === '/foreign/')).toBe(false);

    const inactive = await chpRoutes(chp, `?inactive_since=${encodeURIComponent(cutoff.toISOString())}`);
    expect(Object.keys(inactive)).toContain('/');
    expect(Object.keys(inactive)).not.toContain('/user/alice');
    const bad = await httpRequest(`${chp.apiUrl}/api/routes?inactive_since=yesterday-ish`, {
      headers: { authorization: `token ${chp.authToken}` },
    });
    expect(bad.status).toBe(400);
  });

  it('T4: after CHP is killed and restarted on the same ports, checkRoutes restores every route', async () => {
    await chp.kill();
    chp = await startChp({ authToken: chp.authToken, publicPort: chp.publicPort, apiPort: chp.apiPort });
    expect(await proxy.getAllRoutes()).toEqual(new Map());
    const result = await reconciler.checkRoutes();
    expect([...result.added].sort()).toEqual(['/', '/user/alice/']);
    expect(jsonBody<EchoReply>(await httpRequest(`${chp.publicUrl}/user/alice/lab`)).backend).toBe('alice');
    expect(jsonBody<EchoReply>(await httpRequest(`${chp.publicUrl}/hub/login`)).backend).toBe('hub');
  });

  it('T5: CHP refuses `Bearer`; the adapter authenticates with `token`', async () => {
    const bearer = await httpRequest(`${chp.apiUrl}/api/routes`, { headers: { authorization: `Bearer ${chp.authToken}` } });
    expect(bearer.status).toBe(403);
    expect((await proxy.getAllRoutes()).has('/')).toBe(true);
    const wrong = new ChpProxy({ apiUrl: chp.apiUrl, authToken: 'not-the-token' });
    await expect(wrong.getAllRoutes()).rejects.toBeInstanceOf(ProxyError);
    await wrong.stop();
  });
});
