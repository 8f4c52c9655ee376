import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Proxy, Route, RouteData } from '../proxy';
import { ProxyError } from '../proxy';
import { systemClock, type Clock } from '../../lib/clock';
import { silentProxyLogger, type ProxyLogger } from '../proxy-deps';
import { assertRoutespec, parseTarget } from '../routespec';
import { ActivityRecorder } from './activity-recorder';
import { HttpForwarder } from './http-forwarder';
import { RouteTable } from './route-table';
import { readTlsPair, TlsFilesError, TlsReloader, type TlsFiles } from './tls-files';
import { WsForwarder } from './ws-forwarder';

/** Options of {@link BuiltinProxy}. */
export interface BuiltinProxyOptions {
  /** Address the public (data-plane) listener binds to. */
  readonly ip: string;
  /** Port of the public listener; 0 picks a free one (read it from `port` after `start`). */
  readonly port: number;
  readonly logger?: ProxyLogger;
  /** Time source for route activity (default: the system clock). */
  readonly clock?: Clock;
  /** An upstream request whose connection stays idle this long is answered 503 / aborted (default 10 min; 0 = never). */
  readonly upstreamIdleTimeoutMs?: number;
  /** Idle keep-alive connections to targets are closed after this long (default 30 s). */
  readonly freeSocketTimeoutMs?: number;
  /** Connecting to a target for a WebSocket gives up after this long (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Clients must send their request headers within this long (default 60 s). */
  readonly headersTimeoutMs?: number;
  /** HTTPS with this certificate and key (`hub.tls`), read again when the files change; plain HTTP without. */
  readonly tls?: TlsFiles | null;
  /** How often the TLS files are looked at for a change (default 60 s). */
  readonly tlsReloadIntervalMs?: number;
}

/**
 * The built-in proxy: a plain Node HTTP (or, with `tls`, HTTPS) server that routes by longest path
 * prefix and forwards HTTP and WebSocket traffic. The data plane is the public listener only; the route API (control plane)
 * is the in-process methods of this object. Routes live in memory and survive `stop`/`start`.
 */
export class BuiltinProxy implements Proxy {
  /** Always `builtin`. */
  readonly kind = 'builtin';
  private readonly options: BuiltinProxyOptions;
  private readonly logger: ProxyLogger;
  private readonly clock: Clock;
  private readonly table = new RouteTable();
  private readonly activity: ActivityRecorder;
  private server: http.Server | https.Server | null = null;
  private tlsReloader: TlsReloader | null = null;
  private httpForwarder: HttpForwarder | null = null;
  private wsForwarder: WsForwarder | null = null;

  /** @param options listen address and optional logger, clock and timeouts. */
  constructor(options: BuiltinProxyOptions) {
    this.options = options;
    this.logger = options.logger ?? silentProxyLogger();
    this.clock = options.clock ?? systemClock;
    this.activity = new ActivityRecorder(this.clock);
  }

  /** The bound port while started (the configured one before `start`; useful with port 0). */
  get port(): number {
    return this.address()?.port ?? this.options.port;
  }

  /** Proxied WebSocket (upgraded) connections open now. */
  get openUpgradedConnections(): number {
    return this.wsForwarder?.openConnections ?? 0;
  }

  /** The bound address while started, else null. */
  address(): AddressInfo | null {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? address : null;
  }

  /** Starts the public listener; rejects with ProxyError when it cannot bind. */
  async start(): Promise<void> {
    if (this.server !== null) return;
    const httpForwarder = new HttpForwarder({
      table: this.table,
      activity: this.activity,
      logger: this.logger,
      upstreamIdleTimeoutMs: this.options.upstreamIdleTimeoutMs ?? 600_000,
      freeSocketTimeoutMs: this.options.freeSocketTimeoutMs ?? 30_000,
    });
    const wsForwarder = new WsForwarder({
      table: this.table,
      activity: this.activity,
      logger: this.logger,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 10_000,
      closeGraceMs: 5_000,
    });
    const serverOptions = { requestTimeout: 0, headersTimeout: this.options.headersTimeoutMs ?? 60_000 };
    const tls = this.options.tls ?? null;
    let server: http.Server | https.Server;
    if (tls === null) {
      server = http.createServer(serverOptions, httpForwarder.handleRequest);
    } else {
      let pair;
      try {
        pair = readTlsPair(tls);
      } catch (err) {
        throw new ProxyError(err instanceof TlsFilesError ? `hub.tls.${err.which}: ${err.message}` : String(err));
      }
      const secure = https.createServer({ ...serverOptions, ...pair }, httpForwarder.handleRequest);
      this.tlsReloader = new TlsReloader(tls, (next) => secure.setSecureContext(next), this.logger, this.options.tlsReloadIntervalMs ?? 60_000);
      server = secure;
    }
    server.on('upgrade', wsForwarder.handleUpgrade);
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(new ProxyError(`Cannot listen on ${this.options.ip}:${this.options.port}: ${error.message}`));
      };
      server.once('error', onError);
      server.listen({ host: this.options.ip, port: this.options.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'proxy listener error'));
    this.tlsReloader?.start();
    this.server = server;
    this.httpForwarder = httpForwarder;
    this.wsForwarder = wsForwarder;
    const bound = this.address();
    this.logger.info({ ip: bound?.address, port: bound?.port, https: tls !== null }, 'built-in proxy listening');
  }

  /** Stops listening and closes every client, upstream and WebSocket connection. Routes are kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    this.tlsReloader?.stop();
    this.tlsReloader = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    this.wsForwarder?.closeAll();
    this.httpForwarder?.close();
    this.wsForwarder = null;
    this.httpForwarder = null;
    await closed;
  }

  /** Adds or replaces a route; its last activity becomes now. Throws RangeError on a bad routespec or target. */
  async addRoute(routespec: string, target: string, data: RouteData): Promise<void> {
    assertRoutespec(routespec);
    const parsedTarget = parseTarget(target);
    this.table.set({ routespec, target, parsedTarget, data: { ...data }, lastActivityMs: this.activity.nowMs() });
  }

  /** Deletes a route; an absent route is not an error. */
  async deleteRoute(routespec: string): Promise<void> {
    this.table.delete(routespec);
  }

  /** Every route with its last activity. */
  async getAllRoutes(): Promise<Map<string, Route>> {
    const routes = new Map<string, Route>();
    for (const entry of this.table.entries()) {
      routes.set(entry.routespec, {
        routespec: entry.routespec,
        target: entry.target,
        data: { ...entry.data },
        lastActivity: new Date(entry.lastActivityMs),
      });
    }
    return routes;
  }
}
