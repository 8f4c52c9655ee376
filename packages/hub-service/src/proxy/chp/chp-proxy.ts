import type { Proxy, Route, RouteData } from '../proxy';
import { ProxyError } from '../proxy';
import { silentProxyLogger, type ProxyLogger } from '../proxy-deps';
import { assertRoutespec, parseTarget } from '../routespec';
import { ChpApiClient, type ChpResponse } from './chp-api-client';
import { chpRouteApiPath } from './chp-paths';
import { chpRouteBody, parseChpRoutes } from './chp-routes';

/** Options of {@link ChpProxy}. */
export interface ChpProxyOptions {
  /** CHP's API base URL, e.g. `http://127.0.0.1:8001`. */
  readonly apiUrl: string;
  /** The CONFIGPROXY_AUTH_TOKEN CHP was started with. */
  readonly authToken: string;
  readonly logger?: ProxyLogger;
  /** Time limit of one API call (default 10 s). */
  readonly timeoutMs?: number;
  /** Connection errors and 5xx are retried for up to this long (default 30 s). */
  readonly retryBudgetMs?: number;
  /** At most this many API calls in flight (default 10). */
  readonly maxConcurrency?: number;
}

function describeResponse(response: ChpResponse): string {
  const body = response.body.trim();
  return body === '' ? `HTTP ${response.status}` : `HTTP ${response.status}: ${body.slice(0, 200)}`;
}

/**
 * The Proxy port on an external configurable-http-proxy 5.x, driven through its REST API
 * (`/api/routes`). CHP keeps the routes and their activity; this object holds only a connection pool.
 */
export class ChpProxy implements Proxy {
  /** Always `chp`. */
  readonly kind = 'chp';
  private readonly client: ChpApiClient;
  private readonly logger: ProxyLogger;

  /** @param options API URL, token, optional logger and limits. */
  constructor(options: ChpProxyOptions) {
    this.logger = options.logger ?? silentProxyLogger();
    this.client = new ChpApiClient({
      apiUrl: options.apiUrl,
      authToken: options.authToken,
      logger: this.logger,
      timeoutMs: options.timeoutMs ?? 10_000,
      retryBudgetMs: options.retryBudgetMs ?? 30_000,
      maxConcurrency: options.maxConcurrency ?? 10,
      maxResponseBytes: 256 * 1024 * 1024,
    });
  }

  /** Checks that the API answers and accepts the token (retrying while it is unreachable). */
  async start(): Promise<void> {
    await this.getAllRoutes();
    this.logger.info({}, 'configurable-http-proxy API reachable');
  }

  /** Releases the API connections; CHP keeps its routes. */
  async stop(): Promise<void> {
    this.client.close();
  }

  /** POSTs the route (CHP replaces an existing one and sets its last_activity to now). */
  async addRoute(routespec: string, target: string, data: RouteData): Promise<void> {
    assertRoutespec(routespec);
    parseTarget(target);
    const apiPath = chpRouteApiPath(routespec);
    const response = await this.client.request('POST', apiPath, chpRouteBody(target, data));
    if (response.status < 200 || response.status >= 300) {
      throw new ProxyError(`CHP refused to add route ${routespec}: ${describeResponse(response)}`);
    }
  }

  /** DELETEs the route; CHP's 404 (already absent) counts as success. */
  async deleteRoute(routespec: string): Promise<void> {
    assertRoutespec(routespec);
    const response = await this.client.request('DELETE', chpRouteApiPath(routespec));
    if (response.status === 404) {
      this.logger.debug({ routespec }, 'route already deleted');
      return;
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ProxyError(`CHP refused to delete route ${routespec}: ${describeResponse(response)}`);
    }
  }

  /** GETs every route (including ones the hub did not create), keyed by routespec with trailing `/`. */
  async getAllRoutes(): Promise<Map<string, Route>> {
    const response = await this.client.request('GET', '/api/routes');
    if (response.status !== 200) {
      throw new ProxyError(`CHP refused to list routes: ${describeResponse(response)}`);
    }
    return parseChpRoutes(response.body);
  }
}
