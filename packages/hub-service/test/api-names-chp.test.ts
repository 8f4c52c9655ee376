/**
 * User names JupyterHub accepts (an e-mail address with `+`, a space, non-ASCII letters) routed
 * through a REAL configurable-http-proxy 5.3: the route is added under the name CHP decodes it
 * to, traffic to the quoted URL reaches the server with the path as sent, check_routes leaves the
 * route alone (the hub's and CHP's spellings agree), and stop removes it (issue 5 item 6).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { quoteSegment } from '@clusterhub/shared';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { apiCall } from './harness/api-call';
import { FakeSpawner } from '../src/spawners/testing/fake-spawner';
import { startChp, type ChpProcess } from '../src/proxy/testing/chp-process';
import { httpRequest, jsonBody } from '../src/proxy/testing/backends';

// Starting node processes on a busy machine can take a while; the project's testTimeout is not applied.
jest.setTimeout(120_000);

type ChpRoutes = Record<string, Record<string, unknown>>;

describe('names JupyterHub accepts, through a real configurable-http-proxy', () => {
  let chp: ChpProcess;
  let t: TestHub;
  const spawner = new FakeSpawner();

  async function chpRoutes(): Promise<ChpRoutes> {
    const res = await httpRequest(`${chp.apiUrl}/api/routes`, { headers: { authorization: `token ${chp.authToken}` } });
    expect(res.status).toBe(200);
    return jsonBody<ChpRoutes>(res);
  }

  beforeAll(async () => {
    chp = await startChp({ authToken: randomBytes(16).toString('hex') });
    t = await startTestHub({ config: { proxy: { kind: 'chp', apiUrl: chp.apiUrl, authToken: chp.authToken } }, overrides: { spawner } });
  });

  afterAll(async () => {
    if (t) await t.stop();
    await spawner.close();
    if (chp) await chp.stop();
  });

  it.each(['ann+lab@uni.example', 'ann smith', 'zoë', '50%off', 'back\\slash', 'semi;colon$x'])('routes %j at its quoted URL, keeps the route on check_routes, removes it on stop', async (name) => {
    const quoted = quoteSegment(name);
    expect((await apiCall(`${t.apiUrl}/users/${quoted}`, { method: 'POST', token: t.adminToken })).status).toBe(201);
    expect((await apiCall(`${t.apiUrl}/users/${quoted}/server`, { method: 'POST', token: t.adminToken })).status).toBe(201);
    // CHP keeps its keys decoded, as JupyterHub's routes appear in it.
    expect((await chpRoutes())[`/user/${name}`]).toMatchObject({ user: name, server_name: '', jupyterhub: true });
    const proxied = await fetch(`${chp.publicUrl}/user/${quoted}/lab?x=1`);
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toMatchObject({ fake: true, path: `/user/${quoted}/lab?x=1` });
    const before = (await chpRoutes())[`/user/${name}`];
    expect((await apiCall(`${t.apiUrl}/proxy`, { method: 'POST', token: t.adminToken })).status).toBe(200);
    expect((await chpRoutes())[`/user/${name}`]).toEqual(before);
    expect(Object.keys((await apiCall(`${t.apiUrl}/proxy`, { token: t.adminToken })).json as object)).toContain(`/user/${quoted}/`);
    expect((await apiCall(`${t.apiUrl}/users/${quoted}/server`, { method: 'DELETE', token: t.adminToken })).status).toBe(204);
    expect((await chpRoutes())[`/user/${name}`]).toBeUndefined();
  });
});
