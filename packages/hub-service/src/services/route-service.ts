import { serverRoutespec } from '@clusterhub/shared';
import type { Proxy, Route, RouteData } from '../proxy/proxy';
import type { Store } from '../store/store';
import type { Logger } from '../observability/logger';

/**
 * The hub's view of the proxy's routing table: the hub route (`<base>` → the hub), one route per
 * running server, all marked `jupyterhub: true`. Computes the desired table from the store for the
 * reconciler and feeds route activity back into server and user `last_activity`.
 */
export class RouteService {
  constructor(
    private readonly deps: { proxy: Proxy; store: Store; baseUrl: string; hubTarget: () => string; logger: Logger },
  ) {}

  /** Adds (or repoints) the route of a server. */
  async addServerRoute(user: string, server: string, target: string): Promise<void> {
    const data: RouteData = { user, server_name: server, jupyterhub: true };
    await this.deps.proxy.addRoute(serverRoutespec(user, server, this.deps.baseUrl), target, data);
  }

  /** Deletes the route of a server (absent is fine). */
  async deleteServerRoute(user: string, server: string): Promise<void> {
    await this.deps.proxy.deleteRoute(serverRoutespec(user, server, this.deps.baseUrl));
  }

  /** The routing table the hub wants: the hub route plus every running server with a target. */
  async desired(): Promise<Map<string, { target: string; data: RouteData }>> {
    const routes = new Map<string, { target: string; data: RouteData }>();
    routes.set(this.deps.baseUrl, { target: this.deps.hubTarget(), data: { hub: true, jupyterhub: true } });
    for (const server of await this.deps.store.servers.listActive()) {
      if (server.state !== 'running' || !server.target) continue;
      routes.set(serverRoutespec(server.userName, server.name, this.deps.baseUrl), {
        target: server.target,
        data: { user: server.userName, server_name: server.name, jupyterhub: true },
      });
    }
    return routes;
  }

  /** Every route the proxy has (ours and foreign ones). */
  allRoutes(): Promise<Map<string, Route>> {
    return this.deps.proxy.getAllRoutes();
  }

  /** Moves proxy-observed activity into the store: server and user `last_activity = max(old, route)`. */
  async recordActivity(routes: readonly Route[]): Promise<void> {
    for (const route of routes) {
      const { user, server_name: serverName } = route.data;
      if (typeof user !== 'string' || typeof serverName !== 'string' || !route.lastActivity) continue;
      const owner = await this.deps.store.users.getByName(user);
      if (!owner) continue;
      const server = await this.deps.store.servers.get(owner.id, serverName);
      if (server) await this.deps.store.servers.touchActivity(server.id, route.lastActivity);
      await this.deps.store.users.touchActivity(owner.id, route.lastActivity);
    }
  }
}
