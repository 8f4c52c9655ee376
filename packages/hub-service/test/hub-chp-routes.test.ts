/**
 * The whole hub driving a REAL configurable-http-proxy 5.3 (protocol.md §8, §13 T1–T3 at the hub
 * level): the hub's `/` route, server routes added and removed by spawn/stop, check_routes through
 * `POST /hub/api/proxy` (foreign routes kept, stale hub routes deleted), route activity harvested
 * into the server model, and a browser arriving at a stopped server through CHP.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { startChp, type ChpProcess } from '../src/proxy/testing/chp-process';
import { httpRequest, jsonBody } from '../src/proxy/testing/backends';

// Starting node processes on a busy machine can take a while; the project's testTimeout is not applied.
jest.setTimeout(120_000);

type ChpRoutes = Record<string, Record<string, unknown>>;

describe('hub with a real configurable-http-proxy (T1–T3)', () => {
  let chp: ChpProcess;
  let t: TestHub;
  const spawner = new FakeSpawner();
  const users = ['alice', 'bob', 'carol'];

  /** CHP's own view of its routing table (keys without trailing slash). */
  async function chpRoutes(): Promise<ChpRoutes> {
    const res = await httpRequest(`${chp.apiUrl}/api/routes`, { headers: { authorization: `token ${chp.authToken}` } });
    expect(res.status).toBe(200);
    return jsonBody<ChpRoutes>(res);
  }

  async function addChpRoute(path: string, data: Record<string, unknown>): Promise<void> {
    const res = await httpRequest(`${chp.apiUrl}/api/routes${path}`, {
      method: 'POST',
      headers: { authorization: `token ${chp.authToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });
    expect(res.status).toBe(201);
  }

  async function hubApi(method: string, path: string): Promise<Response> {
    return fetch(`${t.apiUrl}${path}`, { method, headers: { authorization: `token ${t.adminToken}` } });
  }

  beforeAll(async () => {
    chp = await startChp({ authToken: randomBytes(16).toString('hex') });
    t = await startTestHub({
      config: { proxy: { kind: 'chp', apiUrl: chp.apiUrl, authToken: chp.authToken } },
      overrides: { spawner },
    });
    for (const name of users) await t.addUser(name, { password: `${name}-password-1` });
  });

  afterAll(async () => {
    if (t) {
      for (const name of users) await hubApi('DELETE', `/users/${name}/server`);
      await t.stop();
    }
    await spawner.close();
    if (chp) await chp.stop();
  });

  it('T1: installs `/` = {hub, jupyterhub} pointing at the hub, and CHP reaches the hub', async () => {
    expect(t.hub.publicUrl).toBeNull();
    const routes = await chpRoutes();
    expect(routes['/']).toMatchObject({ hub: true, jupyterhub: true, target: t.internalUrl });
    const res = await fetch(`${chp.publicUrl}/hub/api`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-jupyterhub-version')).toBe('6.1.1');
    expect(await res.json()).toEqual({ version: '6.1.1' });
  });

  it('T2: spawn adds /user/alice (target without path), traffic keeps the full path, stop removes it', async () => {
    const start = await hubApi('POST', '/users/alice/server');
    expect(start.status).toBe(201);
    const route = (await chpRoutes())['/user/alice'];
    expect(route).toMatchObject({ user: 'alice', server_name: '', jupyterhub: true });
    const target = String(route?.target);
    expect(target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(target).toBe(`http://127.0.0.1:${spawner.running()[0]?.port ?? -1}`);

    const proxied = await fetch(`${chp.publicUrl}/user/alice/x/y?z=1`);
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toMatchObject({ fake: true, path: '/user/alice/x/y?z=1' });

    const stop = await hubApi('DELETE', '/users/alice/server');
    expect(stop.status).toBe(204);
    expect((await chpRoutes())['/user/alice']).toBeUndefined();
  });

  it('T2: POST /hub/api/proxy keeps a foreign route and deletes a stale jupyterhub route', async () => {
    await addChpRoute('/foreign', { target: 'http://127.0.0.1:9', owner: 'someone-else' });
    await addChpRoute('/user/ghost', { target: 'http://127.0.0.1:9', user: 'ghost', server_name: '', jupyterhub: true });
    expect(Object.keys(await chpRoutes())).toEqual(expect.arrayContaining(['/foreign', '/user/ghost']));

    const check = await hubApi('POST', '/proxy');
    expect(check.status).toBe(200);
    const routes = await chpRoutes();
    expect(routes['/foreign']).toMatchObject({ target: 'http://127.0.0.1:9', owner: 'someone-else' });
    expect(routes['/user/ghost']).toBeUndefined();
    expect(routes['/']).toMatchObject({ hub: true, jupyterhub: true });
  });

  it('T3: CHP route activity reaches the server and user models on check_routes', async () => {
    expect((await hubApi('POST', '/users/bob/server')).status).toBe(201);
    // Make the hub's own record clearly older than anything CHP can report.
    const store = t.hub.context.store;
    const bob = await store.users.getByName('bob');
    const server = bob ? await store.servers.get(bob.id, '') : null;
    if (!bob || !server) throw new Error('bob has no server');
    const old = new Date(Date.now() - 2 * 3600_000);
    await store.servers.update(server.id, { lastActivity: old });

    expect((await fetch(`${chp.publicUrl}/user/bob/api/contents`)).status).toBe(200);
    const chpActivity = Date.parse(String((await chpRoutes())['/user/bob']?.last_activity));
    expect(chpActivity).toBeGreaterThan(old.getTime());

    expect((await hubApi('POST', '/proxy')).status).toBe(200);
    const model = (await (await hubApi('GET', '/users/bob')).json()) as { last_activity: string; servers: Record<string, { last_activity: string }> };
    expect(Date.parse(model.servers['']?.last_activity ?? '')).toBeGreaterThanOrEqual(chpActivity);
    expect(Date.parse(model.last_activity)).toBeGreaterThanOrEqual(chpActivity);
  });

  it('sends a browser at a stopped server through CHP to the hub, then to the login page', async () => {
    const browser = new BrowserClient();
    const first = await browser.request(`${chp.publicUrl}/user/carol/`, { follow: false });
    expect(first.status).toBe(302);
    const second = new URL(first.headers.get('location') ?? '', first.url);
    expect(second.pathname).toBe('/hub/user/carol/');
    const toLogin = await browser.request(second.toString(), { follow: false });
    expect(toLogin.status).toBe(302);
    const login = new URL(toLogin.headers.get('location') ?? '', toLogin.url);
    expect(login.pathname).toBe('/hub/login');
    expect(login.searchParams.get('next')).toBe('/hub/user/carol/');
    const page = await browser.request(login.toString());
    expect(page.status).toBe(200);
    expect(page.url.startsWith(chp.publicUrl)).toBe(true);
    expect(page.text).toMatch(/<form[^>]*action="[^"]*\/hub\/login/);
    expect(page.text).toContain('name="password"');
  });
});
