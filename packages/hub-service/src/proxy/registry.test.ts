import type { ResolvedConfig } from '../config/types';
import { BuiltinProxy } from './builtin/builtin-proxy';
import { ChpProxy } from './chp/chp-proxy';
import { createProxy, proxyOptionsFromConfig } from './registry';

describe('createProxy', () => {
  it('creates the adapter named by kind', () => {
    expect(createProxy({ kind: 'builtin', ip: '127.0.0.1', port: 0, tls: null })).toBeInstanceOf(BuiltinProxy);
    expect(createProxy({ kind: 'chp', apiUrl: 'http://127.0.0.1:8001', authToken: 't' })).toBeInstanceOf(ChpProxy);
  });

  it('derives options from the configuration', () => {
    const hub = { public: { ip: '0.0.0.0', port: 8000 }, tls: null } as ResolvedConfig['hub'];
    const intervals = { checkRoutesIntervalSeconds: 300, lastActivityIntervalSeconds: 300 };
    expect(proxyOptionsFromConfig({ hub, proxy: { kind: 'builtin', ...intervals } })).toEqual({ kind: 'builtin', ip: '0.0.0.0', port: 8000, tls: null });
    const tls = { certFile: '/etc/hub/cert.pem', keyFile: '/etc/hub/key.pem' };
    expect(proxyOptionsFromConfig({ hub: { ...hub, tls }, proxy: { kind: 'builtin', ...intervals } })).toEqual({ kind: 'builtin', ip: '0.0.0.0', port: 8000, tls });
    expect(proxyOptionsFromConfig({ hub, proxy: { kind: 'chp', apiUrl: 'http://a:1', authToken: 't', ...intervals } })).toEqual({
      kind: 'chp',
      apiUrl: 'http://a:1',
      authToken: 't',
    });
  });
});
