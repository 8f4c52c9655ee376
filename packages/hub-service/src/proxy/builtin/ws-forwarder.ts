import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ProxyLogger } from '../proxy-deps';
import type { ActivityRecorder } from './activity-recorder';
import { writeRawJsonError } from './error-response';
import { lookupPath, loggablePath, upgradeRequestHead } from './forward-headers';
import { trackProxyConnection } from './own-connections';
import type { RouteTable } from './route-table';

/** Options of {@link WsForwarder}. */
export interface WsForwarderOptions {
  readonly table: RouteTable;
  readonly activity: ActivityRecorder;
  readonly logger: ProxyLogger;
  /** Give up connecting to a target after this long (ms). */
  readonly connectTimeoutMs: number;
  /** After one side closed cleanly, the other is destroyed if it has not closed within this long (ms). */
  readonly closeGraceMs: number;
}

/** Ends `socket` (flushing what is buffered) after its peer closed cleanly; destroys it after an error. */
function closeAfter(socket: Duplex, peerHadError: boolean, graceMs: number): void {
  if (socket.destroyed) return;
  if (peerHadError) {
    socket.destroy();
    return;
  }
  socket.end();
  const timer = setTimeout(() => socket.destroy(), graceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Copies `from` to `to` as `pipe` does (backpressure: `from` pauses while `to` is full; `to` ends
 * when `from` ends) and calls `onData` for every chunk, with two listeners instead of pipe's
 * bookkeeping: an open websocket holds two of these for as long as it stays open.
 */
function forward(from: Duplex, to: Duplex, onData: () => void): void {
  from.on('data', (chunk: Buffer) => {
    onData();
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.once('end', () => to.end());
  if (from.isPaused()) from.resume(); // as pipe does: a stream paused before now flows
}

/**
 * The upgrade data plane (WebSockets): opens a TCP/TLS connection to the route's target, replays the
 * request head with X-Forwarded-* added, then pipes bytes both ways. Data in either direction counts
 * as route activity. When either side closes or fails, both are closed.
 */
export class WsForwarder {
  private readonly options: WsForwarderOptions;
  /** Open client sockets, so `closeAll` can end them (the HTTP server does not track upgraded ones). */
  private readonly open = new Set<Duplex>();

  /** @param options routing table, activity recorder, logger and connect timeout. */
  constructor(options: WsForwarderOptions) {
    this.options = options;
  }

  /** Number of proxied upgraded connections now open. */
  get openConnections(): number {
    return this.open.size;
  }

  /** The `upgrade` listener of the public server. */
  readonly handleUpgrade = (req: IncomingMessage, client: Duplex, head: Buffer): void => {
    const url = req.url ?? '/';
    const entry = this.options.table.match(lookupPath(url));
    client.on('error', () => client.destroy());
    if (entry === null) {
      writeRawJsonError(client, 404, 'not_found', 'No route matches this URL.');
      return;
    }
    const target = entry.parsedTarget;
    // Built now, so that no closure below holds the request (its headers, parser and socket state)
    // for as long as the connection stays open; both are dropped once written.
    let requestHead: string | null = upgradeRequestHead(req, target.pathPrefix + url);
    let pending: Buffer | null = head.length > 0 ? head : null;
    const upstream = target.secure
      ? tls.connect({ host: target.hostname, port: target.port, servername: net.isIP(target.hostname) ? undefined : target.hostname })
      : net.connect({ host: target.hostname, port: target.port });
    trackProxyConnection(upstream);
    this.open.add(client);
    let connected = false;
    upstream.setTimeout(this.options.connectTimeoutMs, () => {
      upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    });

    upstream.once(target.secure ? 'secureConnect' : 'connect', () => {
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      connected = true;
      upstream.setTimeout(0);
      upstream.setNoDelay(true);
      upstream.setKeepAlive(true, 30_000);
      if (client instanceof net.Socket) {
        client.setNoDelay(true);
        client.setKeepAlive(true, 30_000);
      }
      upstream.write(requestHead ?? '');
      if (pending) upstream.write(pending);
      requestHead = null;
      pending = null;
      const activity = this.options.activity;
      forward(upstream, client, () => activity.touch(entry));
      forward(client, upstream, () => activity.touch(entry));
    });

    upstream.on('error', (error) => {
      if (!connected) {
        const code = 'code' in error ? String(error.code) : 'unknown';
        this.options.logger.warn({ routespec: entry.routespec, target: entry.target, code, path: loggablePath(url) }, 'proxy target unavailable');
        writeRawJsonError(client, 503, 'backend_unavailable', `The server for ${entry.routespec} is not responding.`);
      } else {
        client.destroy();
      }
    });
    upstream.on('close', (hadError: boolean) => {
      if (connected) closeAfter(client, hadError, this.options.closeGraceMs);
    });
    client.on('close', (hadError: boolean) => {
      this.open.delete(client);
      if (connected) closeAfter(upstream, hadError === true, this.options.closeGraceMs);
      else upstream.destroy();
    });
  };

  /** Destroys every open upgraded connection (both sides). */
  closeAll(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}
