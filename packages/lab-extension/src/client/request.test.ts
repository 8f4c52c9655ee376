import { HubNetworkError, HubNotConfiguredError, HubRequestError, HubResponseShapeError } from './errors';
import { isHubUser } from './guards';
import { readCookie } from './cookies';
import { baseUrlOfHubPrefix, hubApiUrl, hubRequest, requestHeaders, type IHubConnection } from './request';
import { startStubHub, type IStubHub } from '../testing/stub-hub';

const USER = { kind: 'user', name: 'alice', admin: false, groups: [], servers: {} };

describe('hub URLs', () => {
  it('builds API URLs from the hub prefix and the shared paths', () => {
    expect(hubApiUrl({ hubHost: '', hubPrefix: '/hub/' }, '/users/alice')).toBe('/hub/api/users/alice');
    expect(hubApiUrl({ hubHost: '', hubPrefix: '/base/hub/' }, '/user')).toBe('/base/hub/api/user');
    expect(hubApiUrl({ hubHost: 'https://hub.example.org/', hubPrefix: '/hub/' }, 'clusterhub/profiles')).toBe(
      'https://hub.example.org/hub/api/clusterhub/profiles',
    );
  });

  it('accepts a prefix without its trailing slash', () => {
    expect(baseUrlOfHubPrefix('/jh/hub')).toBe('/jh/');
  });

  it('refuses a page without a hub prefix, or a prefix not ending in hub/', () => {
    expect(() => hubApiUrl({ hubHost: '', hubPrefix: '' }, '/user')).toThrow(HubNotConfiguredError);
    expect(() => baseUrlOfHubPrefix('/lab/')).toThrow(/does not end in/);
    expect(() => baseUrlOfHubPrefix('hub/')).toThrow(HubNotConfiguredError);
  });
});

describe('request headers', () => {
  it('sends the page token as Authorization and the XSRF cookie when readable', () => {
    expect(requestHeaders({ token: 'abc', xsrfToken: () => 'x1' }, false)).toEqual({
      Accept: 'application/json',
      Authorization: 'token abc',
      'X-XSRFToken': 'x1',
    });
  });

  it('falls back to the cookie alone when the page has no token', () => {
    const headers = requestHeaders({ token: '', xsrfToken: () => 'x1' }, true);
    expect(headers['Authorization']).toBeUndefined();
    expect(headers['X-XSRFToken']).toBe('x1');
    expect(headers['Content-Type']).toBe('application/json');
  });
});

describe('readCookie', () => {
  it('finds one cookie among several and decodes it', () => {
    expect(readCookie('a=1; _xsrf=2|ab%7Ccd|9; b=3', '_xsrf')).toBe('2|ab|cd|9');
    expect(readCookie('a_xsrf=1; b=2', '_xsrf')).toBeNull();
    expect(readCookie('', '_xsrf')).toBeNull();
    expect(readCookie('_xsrf=%E0%A4%A', '_xsrf')).toBe('%E0%A4%A');
  });
});

describe('hubRequest against a live HTTP server', () => {
  let hub: IStubHub;
  let connection: IHubConnection;

  beforeEach(async () => {
    hub = await startStubHub();
    connection = {
      hubHost: hub.origin,
      hubPrefix: '/hub/',
      token: 'user-token',
      xsrfToken: () => null,
      fetch: (url, init) => fetch(url, init),
      timeoutMs: 5000,
    };
  });

  afterEach(() => hub.close());

  it('returns the validated body and sends the token', async () => {
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: USER });
    const user = await hubRequest(connection, { path: '/users/alice', validate: isHubUser });
    expect(user.name).toBe('alice');
    expect(hub.requests[0]?.headers['authorization']).toBe('token user-token');
    expect(hub.requests[0]?.headers['x-xsrftoken']).toBeUndefined();
  });

  it('sends a JSON body with its content type', async () => {
    hub.answer('POST', '/hub/api/users/alice', { status: 201, body: USER });
    await hubRequest(connection, { path: '/users/alice', method: 'POST', body: { admin: false }, validate: isHubUser });
    expect(hub.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hub.requests[0]?.body ?? '')).toEqual({ admin: false });
  });

  it("maps an error answer to HubRequestError with the hub's code and message", async () => {
    hub.answer('GET', '/hub/api/users/bob', {
      status: 403,
      body: { code: 'forbidden', message: 'Action is not authorized with current scopes; requires any of [read:users]', status: 403 },
    });
    const error = await hubRequest(connection, { path: '/users/bob', validate: isHubUser }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubRequestError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', kind: 'request' });
    expect((error as Error).message).toMatch(/requires any of \[read:users\]/);
  });

  it('keeps the message of a JupyterHub-style error body without a code', async () => {
    hub.answer('GET', '/hub/api/user', { status: 403, body: { status: 403, message: 'Missing or invalid credentials.' } });
    const error = await hubRequest(connection, { path: '/user', validate: isHubUser }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, code: null, message: 'Missing or invalid credentials.' });
  });

  it('uses the status line when the error body is not JSON', async () => {
    hub.answer('GET', '/hub/api/user', { status: 502, text: '<html>bad gateway</html>' });
    const error = await hubRequest(connection, { path: '/user', validate: isHubUser }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubRequestError);
    expect(error).toMatchObject({ status: 502, code: null, message: '502 Bad Gateway' });
  });

  it('refuses a 2xx body of the wrong shape', async () => {
    hub.answer('GET', '/hub/api/users/alice', { status: 200, body: { kind: 'user', name: 7 } });
    await expect(hubRequest(connection, { path: '/users/alice', validate: isHubUser })).rejects.toBeInstanceOf(HubResponseShapeError);
    hub.answer('GET', '/hub/api/users/alice', { status: 200, text: 'not json' });
    await expect(hubRequest(connection, { path: '/users/alice', validate: isHubUser })).rejects.toBeInstanceOf(HubResponseShapeError);
  });

  it('gives up after its timeout with a HubNetworkError', async () => {
    hub.answer('GET', '/hub/api/user', { status: 200, body: USER, delayMs: 10_000 });
    const error = await hubRequest({ ...connection, timeoutMs: 50 }, { path: '/user', validate: isHubUser }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubNetworkError);
    expect(error).toMatchObject({ timedOut: true, kind: 'network' });
  });

  it('reports a refused connection as a HubNetworkError', async () => {
    await hub.close();
    const error = await hubRequest(connection, { path: '/user', validate: isHubUser }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubNetworkError);
    expect(error).toMatchObject({ timedOut: false });
  });

  it("rejects with the caller's abort reason when cancelled", async () => {
    hub.answer('GET', '/hub/api/user', { status: 200, body: USER, delayMs: 10_000 });
    const controller = new AbortController();
    const pending = hubRequest(connection, { path: '/user', validate: isHubUser, signal: controller.signal });
    controller.abort(new Error('panel closed'));
    await expect(pending).rejects.toThrow('panel closed');
  });

  it('sends nothing when the page has no hub prefix', async () => {
    await expect(hubRequest({ ...connection, hubPrefix: '' }, { path: '/user', validate: isHubUser })).rejects.toBeInstanceOf(
      HubNotConfiguredError,
    );
    expect(hub.requests).toHaveLength(0);
  });
});
