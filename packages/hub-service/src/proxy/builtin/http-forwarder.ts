import http from 'node:http';
import https from 'node:https';
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
  /** Abort an upstream request whose socket stays idle this long (ms); 0 disables. */
  readonly upstreamIdleTimeoutMs: number;
  /** Idle keep-alive sockets to targets are closed after this long (ms). */
  readonly freeSocketTimeoutMs: number;
}

/** Methods that may be retried once on a stale keep-alive socket when they carry no body. */
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
}

/**
 * The HTTP data plane: forwards each request to the target of its longest-prefix route with the full
 * original path, streaming bodies both ways over keep-alive connections. No route ⇒ 404 JSON;
 * unreachable target ⇒ 503 JSON `backend_unavailable`. Responses below 300 count as route activity.
 */
export class HttpForwarder {
  private readonly options: HttpForwarderOptions;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  /** @param options routing table, activity recorder, logger and timeouts. */
  constructor(options: HttpForwarderOptions) {
    this.options = options;
    const agentOptions = { keepAlive: true, timeout: options.freeSocketTimeoutMs, scheduling: 'lifo' as const };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
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
    this.forward(req, res, entry, url, RETRYABLE_METHODS.has(req.method ?? '') && !hasBody(req));
  };

  /** Closes the keep-alive connections to targets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private forward(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RouteEntry,
    url: string,
    mayRetry: boolean,
  ): void {
    const target = entry.parsedTarget;
    const requestOptions: http.RequestOptions = {
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: target.pathPrefix + url,
      headers: upstreamRequestHeaders(req),
      agent: target.secure ? this.httpsAgent : this.httpAgent,
    };
    const upstream = target.secure ? https.request(requestOptions) : http.request(requestOptions);
    upstream.on('socket', trackProxyConnection);
    if (this.options.upstreamIdleTimeoutMs > 0) {
      upstream.setTimeout(this.options.upstreamIdleTimeoutMs, () => {
        upstream.destroy(Object.assign(new Error('upstream idle timeout'), { code: 'ETIMEDOUT' }));
      });
    }

    const onClientGone = (): void => {
      if (!res.writableFinished) upstream.destroy();
    };
    res.on('close', onClientGone);

    upstream.on('response', (upstreamRes) => {
      const status = upstreamRes.statusCode ?? 502;
      res.writeHead(status, upstreamRes.statusMessage, downstreamResponseHeaders(upstreamRes));
      if (status < 300) {
        this.options.activity.touch(entry);
        upstreamRes.on('end', () => this.options.activity.touch(entry));
      }
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.pipe(res);
    });

    upstream.on('error', (error) => {
      if (res.writableEnded || res.destroyed) return;
      if (mayRetry && upstream.reusedSocket && errorCode(error) === 'ECONNRESET' && !res.headersSent) {
        // The target closed an idle keep-alive socket as we reused it: try once on a fresh one.
        res.off('close', onClientGone);
        this.forward(req, res, entry, url, false);
        return;
      }
      this.options.logger.warn(
        { routespec: entry.routespec, target: entry.target, code: errorCode(error), path: loggablePath(url) },
        'proxy target unavailable',
      );
      sendProxyError(req, res, 503, 'backend_unavailable', `The server for ${entry.routespec} is not responding.`, typeof entry.data.user === 'string' ? entry.routespec : null);
    });

    if (hasBody(req)) {
      req.on('error', () => upstream.destroy());
      req.pipe(upstream);
    } else {
      upstream.end();
    }
  }
}
