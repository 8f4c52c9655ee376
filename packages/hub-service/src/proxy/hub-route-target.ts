/**
 * Where the proxy sends the hub's own route (`<baseUrl>` → the hub). The built-in proxy runs in the
 * hub's process, so the hub's internal listener is always right for it. configurable-http-proxy
 * may run elsewhere (its own pod with the Helm chart): there, as in JupyterHub (`Server.host` of
 * the hub uses `hub_connect_url`), the route points at `hub.connectUrl`'s origin when it is set.
 */
import type { ResolvedConfig } from '../config/types';

/** What {@link hubRouteTarget} reads of the resolved config. */
export interface HubRouteConfig {
  readonly hub: Pick<ResolvedConfig['hub'], 'connectUrl'>;
  readonly proxy: Pick<ResolvedConfig['proxy'], 'kind'>;
}

/** The hub route's target: `hub.connectUrl`'s origin with configurable-http-proxy, else `internalUrl`. */
export function hubRouteTarget(config: HubRouteConfig, internalUrl: string): string {
  if (config.proxy.kind !== 'chp' || config.hub.connectUrl === null) return internalUrl;
  return new URL(config.hub.connectUrl).origin;
}
