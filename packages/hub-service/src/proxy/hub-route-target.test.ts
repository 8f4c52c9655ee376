import { hubRouteTarget } from './hub-route-target';

const chp = { kind: 'chp' } as const;
const builtin = { kind: 'builtin' } as const;
const connectUrl = 'http://hub1-clusterhub-hub.jhub.svc:8081/jupyter/hub/';

describe('hubRouteTarget', () => {
  it('is the internal listener with the built-in proxy, connect URL or not', () => {
    expect(hubRouteTarget({ hub: { connectUrl }, proxy: builtin }, 'http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
  });

  it("is the connect URL's origin with configurable-http-proxy (which may run in another pod)", () => {
    expect(hubRouteTarget({ hub: { connectUrl }, proxy: chp }, 'http://127.0.0.1:8081')).toBe('http://hub1-clusterhub-hub.jhub.svc:8081');
  });

  it('is the internal listener with configurable-http-proxy and no connect URL', () => {
    expect(hubRouteTarget({ hub: { connectUrl: null }, proxy: chp }, 'http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081');
  });
});
