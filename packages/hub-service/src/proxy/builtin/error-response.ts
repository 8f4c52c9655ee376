import type { ServerResponse } from 'node:http';
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
