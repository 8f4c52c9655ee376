import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiErrorBody } from '@clusterhub/shared';

/** Error codes the proxy itself answers with. */
export type ProxyErrorCode = 'not_found' | 'backend_unavailable';

function errorBody(status: number, code: ProxyErrorCode, message: string): string {
  const body: ApiErrorBody = { code, message, status };
  return JSON.stringify(body);
}

/** Sends the hub's JSON error body (`{code, message, status}`) unless a response already started. */
export function sendJsonError(res: ServerResponse, status: number, code: ProxyErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(status, code, message);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Writes the same JSON error as a raw HTTP response on an upgrade socket, then ends the socket. */
export function writeRawJsonError(socket: Duplex, status: number, code: ProxyErrorCode, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(status, code, message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * True for a browser navigation: a GET or HEAD for a document (`Sec-Fetch-Dest: document` or a
 * frame), or, without `Sec-Fetch-Dest` (browsers on plain-HTTP origins other than localhost send
 * none), one that accepts HTML. Script requests (fetch, XHR: destination `empty`) keep getting JSON.
 */
export function isBrowserNavigation(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const dest = req.headers['sec-fetch-dest'];
  if (typeof dest === 'string') return ['document', 'iframe', 'frame'].includes(dest);
  return (req.headers.accept ?? '').includes('text/html');
}

/** `/base/` of a user server's routespec (`/base/user/alice/` or `/base/user/alice/gpu/`), or null for other routes. */
export function userRouteBase(routespec: string): string | null {
  return /^(.*\/)user\/[^/]+\/(?:[^/]+\/)?$/.exec(routespec)?.[1] ?? null;
}

/**
 * Answers an error of the proxy itself. A browser navigation through a user server's route (the
 * server crashed or is restarting) is sent to the hub's error target, `<base>hub/error/<status>?url=<path>`,
 * which checks on the server and shows the "not running" page or a small HTML page instead of raw
 * JSON (JupyterHub's proxy does the same with its error target). Everything else gets the JSON error.
 */
export function sendProxyError(req: IncomingMessage, res: ServerResponse, status: number, code: ProxyErrorCode, message: string, routespec: string | null): void {
  const base = routespec === null ? null : userRouteBase(routespec);
  if (base === null || !isBrowserNavigation(req) || res.headersSent) {
    sendJsonError(res, status, code, message);
    return;
  }
  // The path only: a query may carry a token, and it must not travel on into the hub's logs.
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const location = `${base}hub/error/${status}?url=${encodeURIComponent(path)}`;
  res.writeHead(302, { location, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${message}\n`);
}
