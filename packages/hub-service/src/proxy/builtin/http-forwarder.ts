import type http from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { ProxyLogger } from '../proxy-deps';
import type { ActivityRecorder } from './activity-recorder';
import { sendJsonError, sendProxyError } from './error-response';
import { downstreamResponseHeaders, lookupPath, loggablePath, upstreamRequestHeaders } from './forward-headers';
import { trackProxyConnection } from './own-connections';
import type { RouteEntry, RouteTable } from './route-table';

/** Options of {@link HttpForwarder}. */
export interface HttpForwarderOptions {
  readonly table: RouteTable;
  readonly activity: ActivityRecorder;
  readonly logger: ProxyLogger;
  /** Abort an upstream request that waits this long for the response head or between body chunks (ms); 0 disables. */
  readonly upstreamIdleTimeoutMs: number;
  /** Idle keep-alive connections to targets are closed after this long (ms). */
  readonly freeSocketTimeoutMs: number;
}

/** Methods that may be retried once on a closed keep-alive connection when they carry no body. */
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Errors of a connection the target closed or reset before answering (a stale keep-alive connection). */
const CLOSED_CONNECTION_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
}

/**
 * The body to send upstream: the request itself, or for a chunked request a lazily read copy of it,
 * so that the body goes on chunked (the upstream client would send a body that had fully arrived
 * with a `content-length` instead).
 */
function requestBody(req: http.IncomingMessage): Readable {
  if (req.headers['transfer-encoding'] === undefined) return req;
  // Pulled lazily: never "ended" before it is sent, so its length is never taken as known.
  return Readable.from(req, { objectMode: false });
}

/** The default TCP/TLS connector, with every upstream connection recorded as the proxy's own (own-connections.ts). */
function trackingConnector(): buildConnector.connector {
  const connect = buildConnector({});
  return (options, callback) => {
    connect(options, (...args) => {
      const socket: Socket | null | undefined = args[1];
      if (socket) trackProxyConnection(socket);
      callback(...args);
    });
  };
}

/**
 * The HTTP data plane: forwards each request to the target of its longest-prefix route with the full
 * original path, streaming bodies both ways over kept-alive connections (undici's connection pools
 * and parser: far less work per request than `http.request`). No route ⇒ 404 JSON; unreachable
 * target ⇒ 503 JSON `backend_unavailable`. Responses below 300 count as route activity.
 */
export class HttpForwarder {
  private readonly options: HttpForwarderOptions;
  private readonly agent: Agent;

  /** @param options routing table, activity recorder, logger and timeouts. */
  constructor(options: HttpForwarderOptions) {
    this.options = options;
    this.agent = new Agent({
      keepAliveTimeout: options.freeSocketTimeoutMs,
      keepAliveMaxTimeout: options.freeSocketTimeoutMs,
      connect: trackingConnector(),
    });
  }

  /** The `request` listener of the public server. */
  readonly handleRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = req.url ?? '/';
    const entry = this.options.table.match(lookupPath(url));
    if (entry === null) {
      req.resume();
      sendJsonError(res, 404, 'not_found', 'No route matches this URL.');
      return;
    }
    const body = hasBody(req);
    this.forward(req, res, entry, url, body, RETRYABLE_METHODS.has(req.method ?? '') && !body);
  };

  /** Closes the kept-alive connections to targets. */
  close(): void {
    void this.agent.destroy().catch(() => undefined);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, entry: RouteEntry, url: string, body: boolean, mayRetry: boolean): void {
    const target = entry.parsedTarget;
    const timeout = this.options.upstreamIdleTimeoutMs;
    const request: Dispatcher.DispatchOptions = {
      origin: `${target.secure ? 'https' : 'http'}://${target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname}:${target.port}`,
      path: target.pathPrefix + url,
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req),
      body: body ? requestBody(req) : null,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    };
    let abort: ((error?: Error) => void) | null = null;
    let status = 0;
    const onClientGone = (): void => {
      if (!res.writableFinished) abort?.();
    };
    res.on('close', onClientGone);
    if (body) req.on('error', () => abort?.());

    this.agent.dispatch(request, {
      onConnect: (abortRequest) => {
        abort = abortRequest;
        if (res.destroyed) abortRequest();
      },
      onHeaders: (statusCode, rawHeaders, resume, statusText) => {
        if (statusCode < 200) return true; // 1xx: the final response follows
        status = statusCode;
        res.writeHead(statusCode, statusText, downstreamResponseHeaders(rawHeaders));
        res.on('drain', resume);
        if (statusCode < 300) this.options.activity.touch(entry);
        return true;
      },
      onData: (chunk) => res.write(chunk),
      onComplete: () => {
        res.end();
        if (status < 300) this.options.activity.touch(entry);
      },
      onError: (error) => {
        if (res.writableEnded || res.destroyed) return;
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (mayRetry && CLOSED_CONNECTION_CODES.has(errorCode(error))) {
          // The target closed a kept-alive connection as we reused it: try once on a fresh one
          // (after this callback, once the pool has let go of the failed request).
          res.off('close', onClientGone);
          setImmediate(() => {
            if (!res.destroyed) this.forward(req, res, entry, url, body, false);
          });
          return;
        }
        this.options.logger.warn(
          { routespec: entry.routespec, target: entry.target, code: errorCode(error), path: loggablePath(url) },
          'proxy target unavailable',
        );
        sendProxyError(req, res, 503, 'backend_unavailable', `The server for ${entry.routespec} is not responding.`, typeof entry.data.user === 'string' ? entry.routespec : null);
      },
    });
  }
}
