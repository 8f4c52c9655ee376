/**
 * The contract every {@link Proxy} adapter passes. Call {@link describeProxyContract} from a test
 * file; it declares a jest `describe` block that drives the proxy's route API and sends real HTTP
 * and WebSocket traffic through its public port to backends started here.
 *
 * Routes the suite creates carry `contract: true` and are deleted after each test; the proxy must
 * start without a `/` route.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Proxy, RouteData } from './proxy';
import {
  freePort,
  httpRequest,
  jsonBody,
  startEchoBackend,
  startWsEchoBackend,
  wsExchange,
  type EchoReply,
  type TestBackend,
  type WsTestBackend,
} from './testing/backends';

/** A started proxy under test. */
export interface ProxyContractSubject {
  readonly proxy: Proxy;
  /** `http://127.0.0.1:<port>` of the proxy's public listener. */
  readonly publicUrl: string;
  teardown(): Promise<void>;
}

const MARK: RouteData = { contract: true };

/** Waits until the clock has moved past `time`, so a later timestamp is strictly greater. */
async function clockPast(time: Date): Promise<void> {
  for (let i = 0; i < 100 && Date.now() <= time.getTime() + 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Declares the Proxy contract suite for one adapter. */
export function describeProxyContract(name: string, setup: () => Promise<ProxyContractSubject>): void {
  describe(`Proxy contract: ${name}`, () => {
    let subject: ProxyContractSubject;
    let proxy: Proxy;
    let backendA: TestBackend;
    let backendB: TestBackend;
    let wsBackend: WsTestBackend;
    const url = (path: string): string => `${subject.publicUrl}${path}`;

    beforeAll(async () => {
      [backendA, backendB, wsBackend] = await Promise.all([startEchoBackend('A'), startEchoBackend('B'), startWsEchoBackend()]);
      subject = await setup();
      proxy = subject.proxy;
    });

    afterAll(async () => {
      await subject.teardown();
      await Promise.all([backendA.close(), backendB.close(), wsBackend.close()]);
    });

    afterEach(async () => {
      for (const route of (await proxy.getAllRoutes()).values()) {
        if (route.data.contract === true) await proxy.deleteRoute(route.routespec);
      }
    });

    it('adds a route and lists it with its target, data and a last activity', async () => {
      const data: RouteData = { ...MARK, user: 'alice', server_name: '', jupyterhub: true, n: 3, nothing: null };
      await proxy.addRoute('/contract/user/alice/', backendA.url, data);
      const route = (await proxy.getAllRoutes()).get('/contract/user/alice/');
      expect(route).toBeDefined();
      expect(route?.routespec).toBe('/contract/user/alice/');
      expect(route?.target).toBe(backendA.url);
      expect(route?.data).toEqual(data);
      expect(route?.lastActivity).toBeInstanceOf(Date);
    });

    it('replaces a route that is added again', async () => {
      await proxy.addRoute('/contract/replace/', backendA.url, { ...MARK, v: 1 });
      await proxy.addRoute('/contract/replace/', backendB.url, { ...MARK, v: 2 });
      const route = (await proxy.getAllRoutes()).get('/contract/replace/');
      expect(route?.target).toBe(backendB.url);
      expect(route?.data).toEqual({ ...MARK, v: 2 });
      const reply = jsonBody<EchoReply>(await httpRequest(url('/contract/replace/x')));
      expect(reply.backend).toBe('B');
    });

    it('deletes a route, and deleting a missing route is not an error', async () => {
      await proxy.addRoute('/contract/gone/', backendA.url, MARK);
      await proxy.deleteRoute('/contract/gone/');
      expect((await proxy.getAllRoutes()).has('/contract/gone/')).toBe(false);
      await expect(proxy.deleteRoute('/contract/gone/')).resolves.toBeUndefined();
      await expect(proxy.deleteRoute('/contract/never-there/')).resolves.toBeUndefined();
    });

    it('forwards method, full path, query, body and headers, adding X-Forwarded-*', async () => {
      await proxy.addRoute('/contract/fwd/', backendA.url, MARK);
      const port = new URL(subject.publicUrl).port;
      const body = JSON.stringify({ hello: 'world' });
      const response = await httpRequest(url('/contract/fwd/sub/path?x=1&y=a%20b'), {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-custom': 'kept' },
        body,
      });
      expect(response.status).toBe(200);
      expect(response.headers['x-backend']).toBe('A');
      const reply = jsonBody<EchoReply>(response);
      expect(reply.method).toBe('PATCH');
      expect(reply.url).toBe('/contract/fwd/sub/path?x=1&y=a%20b');
      expect(reply.body).toBe(body);
      expect(reply.headers['x-custom']).toBe('kept');
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers.host).toBe(`127.0.0.1:${port}`);
      expect(reply.headers['x-forwarded-for']).toContain('127.0.0.1');
      expect(reply.headers['x-forwarded-proto']).toBe('http');
      expect(reply.headers['x-forwarded-host']).toBe(`127.0.0.1:${port}`);
      expect(reply.headers['x-forwarded-port']).toBe(port);
    });

    it('streams large bodies both ways', async () => {
      await proxy.addRoute('/contract/big/', backendA.url, MARK);
      const upload = Buffer.alloc(3 * 1024 * 1024, 7);
      const reply = jsonBody<EchoReply>(await httpRequest(url('/contract/big/upload'), { method: 'PUT', body: upload }));
      expect(reply.bodyLength).toBe(upload.length);
      const download = await httpRequest(url('/contract/big/bytes/5000000'));
      expect(download.status).toBe(200);
      expect(download.body.length).toBe(5_000_000);
    });

    it('routes by longest prefix on whole path segments', async () => {
      await proxy.addRoute('/contract/lp/', backendA.url, MARK);
      await proxy.addRoute('/contract/lp/deep/', backendB.url, MARK);
      const backendOf = async (path: string): Promise<string> => jsonBody<EchoReply>(await httpRequest(url(path))).backend;
      expect(await backendOf('/contract/lp/deep/x')).toBe('B');
      expect(await backendOf('/contract/lp/deep')).toBe('B');
      expect(await backendOf('/contract/lp/deeper')).toBe('A');
      expect(await backendOf('/contract/lp/x/deep/')).toBe('A');
      expect(await backendOf('/contract/lp')).toBe('A');
      expect((await httpRequest(url('/contract/lpx'))).status).toBe(404);
    });

    it('matches unescaped routespecs against percent-encoded request paths', async () => {
      await proxy.addRoute('/contract/al ice/', backendA.url, MARK);
      await proxy.addRoute('/contract/jürgen/', backendB.url, MARK);
      expect((await proxy.getAllRoutes()).has('/contract/al ice/')).toBe(true);
      const alice = jsonBody<EchoReply>(await httpRequest(url('/contract/al%20ice/tree?x=1')));
      expect(alice.backend).toBe('A');
      expect(alice.url).toBe('/contract/al%20ice/tree?x=1');
      const jurgen = jsonBody<EchoReply>(await httpRequest(url('/contract/j%C3%BCrgen/lab')));
      expect(jurgen.backend).toBe('B');
    });

    it('uses `/` as the catch-all and answers 404 without it', async () => {
      expect((await httpRequest(url('/contract/nowhere/x'))).status).toBe(404);
      await proxy.addRoute('/', backendA.url, MARK);
      await proxy.addRoute('/contract/special/', backendB.url, MARK);
      const reply = jsonBody<EchoReply>(await httpRequest(url('/contract/nowhere/x?q=1')));
      expect(reply.backend).toBe('A');
      expect(reply.url).toBe('/contract/nowhere/x?q=1');
      expect(jsonBody<EchoReply>(await httpRequest(url('/contract/special/'))).backend).toBe('B');
    });

    it('proxies WebSockets both ways with the full path', async () => {
      await proxy.addRoute('/contract/ws/', wsBackend.url, MARK);
      const wsUrl = `${subject.publicUrl.replace(/^http/, 'ws')}/contract/ws/api/kernels/k1/channels?session_id=s1`;
      const replies = await wsExchange(wsUrl, ['one', 'two', 'x'.repeat(100_000)]);
      expect(replies).toEqual(['one', 'two', 'x'.repeat(100_000)]);
      const upgrade = wsBackend.upgrades[wsBackend.upgrades.length - 1];
      expect(upgrade?.url).toBe('/contract/ws/api/kernels/k1/channels?session_id=s1');
      expect(upgrade?.headers['x-forwarded-for']).toContain('127.0.0.1');
    });

    it('answers 503 when the target is down', async () => {
      const deadPort = await freePort();
      await proxy.addRoute('/contract/down/', `http://127.0.0.1:${deadPort}`, MARK);
      expect((await httpRequest(url('/contract/down/x'))).status).toBe(503);
    });

    it('records activity for successful HTTP traffic and WebSocket frames', async () => {
      await proxy.addRoute('/contract/act/', backendA.url, MARK);
      await proxy.addRoute('/contract/actws/', wsBackend.url, MARK);
      const routes = await proxy.getAllRoutes();
      const httpAdded = routes.get('/contract/act/')?.lastActivity;
      const wsAdded = routes.get('/contract/actws/')?.lastActivity;
      if (!httpAdded || !wsAdded) throw new Error('a new route has no last activity');
      await clockPast(httpAdded > wsAdded ? httpAdded : wsAdded);
      expect((await httpRequest(url('/contract/act/api/status'))).status).toBe(200);
      await wsExchange(`${subject.publicUrl.replace(/^http/, 'ws')}/contract/actws/`, ['ping']);
      const after = await proxy.getAllRoutes();
      expect(after.get('/contract/act/')?.lastActivity?.getTime()).toBeGreaterThan(httpAdded.getTime());
      expect(after.get('/contract/actws/')?.lastActivity?.getTime()).toBeGreaterThan(wsAdded.getTime());
    });
  });
}
