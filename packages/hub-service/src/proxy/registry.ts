import type { ResolvedConfig } from '../config/types';
import { BuiltinProxy } from './builtin/builtin-proxy';
import { ChpProxy } from './chp/chp-proxy';
import type { Proxy } from './proxy';
import type { Clock } from '../lib/clock';
import type { ProxyLogger } from './proxy-deps';
import type { TlsFiles } from './builtin/tls-files';

/** Which proxy to create and where it is. */
export type ProxyOptions =
  | {
      readonly kind: 'builtin';
      /** Public listen address of the built-in proxy. */
      readonly ip: string;
      /** Public listen port (0 = any free port). */
      readonly port: number;
      /** HTTPS with these files (`hub.tls`); null: plain HTTP. */
      readonly tls: TlsFiles | null;
    }
  | {
      readonly kind: 'chp';
      /** configurable-http-proxy's API URL. */
      readonly apiUrl: string;
      /** Its CONFIGPROXY_AUTH_TOKEN. */
      readonly authToken: string;
    };

/** Shared dependencies of the proxy adapters. */
export interface ProxyDeps {
  readonly logger?: ProxyLogger;
  readonly clock?: Clock;
}

/** The one place that maps a proxy kind to its adapter. */
export function createProxy(options: ProxyOptions, deps: ProxyDeps = {}): Proxy {
  switch (options.kind) {
    case 'builtin':
      return new BuiltinProxy({ ip: options.ip, port: options.port, tls: options.tls, logger: deps.logger, clock: deps.clock });
    case 'chp':
      return new ChpProxy({ apiUrl: options.apiUrl, authToken: options.authToken, logger: deps.logger });
  }
}

/** Proxy options from the resolved configuration: the built-in proxy listens on the hub's public address. */
export function proxyOptionsFromConfig(config: Pick<ResolvedConfig, 'hub' | 'proxy'>): ProxyOptions {
  const proxy = config.proxy;
  if (proxy.kind === 'chp') return { kind: 'chp', apiUrl: proxy.apiUrl, authToken: proxy.authToken };
  return { kind: 'builtin', ip: config.hub.public.ip, port: config.hub.public.port, tls: config.hub.tls };
}
