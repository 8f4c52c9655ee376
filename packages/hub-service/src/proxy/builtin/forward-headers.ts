import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1), plus `expect`, which Node answers itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

/** The X-Forwarded-* headers the proxy sets. */
const FORWARDED_NAMES = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-host']);

/** The X-Forwarded-* values of one request. */
export interface ForwardedValues {
  readonly for: string;
  readonly proto: string;
  readonly host: string;
  readonly port: string;
}

/** The request path without its query string, unescaped where possible (the key for route lookup). */
export function lookupPath(url: string): string {
  let end = url.indexOf('?');
  if (end === -1) end = url.length;
  let path = url.slice(0, end);
  if (!path.startsWith('/')) {
    // absolute-form request target (`GET http://host/path`)
    try {
      path = new URL(path).pathname;
    } catch {
      return '/';
    }
  }
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The request path for log lines: the path only, never the query string (it may carry `token=`,
 * `_xsrf=`, OAuth `code=`/`state=`), and at most 200 characters.
 */
export function loggablePath(url: string): string {
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function appended(existing: string | string[] | undefined, value: string): string {
  const previous = headerString(existing);
  return previous === undefined || previous === '' ? value : `${previous}, ${value}`;
}

/**
 * X-Forwarded-* for a request: `for`, `proto` and `port` are appended to what a proxy in front of
 * us already set; `host` keeps an existing value, else the Host header. The port comes from the
 * Host header, else the scheme's default.
 */
export function forwardedValues(req: IncomingMessage): ForwardedValues {
  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const proto = encrypted ? 'https' : 'http';
  const host = req.headers.host ?? '';
  const portMatch = /:(\d+)$/.exec(host);
  const port = portMatch?.[1] ?? (encrypted ? '443' : '80');
  const headers = req.headers;
  return {
    for: appended(headers['x-forwarded-for'], req.socket.remoteAddress ?? ''),
    proto: appended(headers['x-forwarded-proto'], proto),
    port: appended(headers['x-forwarded-port'], port),
    host: headerString(headers['x-forwarded-host']) ?? host,
  };
}

/** Names of headers listed in a Connection header (they are hop-by-hop for this message). */
function connectionTokens(headers: IncomingHttpHeaders): Set<string> | null {
  const connection = headers.connection;
  if (connection === undefined) return null;
  return new Set(connection.split(',').map((token) => token.trim().toLowerCase()));
}

/**
 * Request headers for the upstream request: hop-by-hop headers removed, X-Forwarded-* set. Also
 * without `transfer-encoding`: the upstream client frames a streamed body itself (chunked unless
 * `content-length` is given).
 */
export function upstreamRequestHeaders(req: IncomingMessage): Record<string, string | string[]> {
  const incoming = req.headers;
  const listed = connectionTokens(incoming);
  const out: Record<string, string | string[]> = {};
  for (const name of Object.keys(incoming)) {
    if (HOP_BY_HOP.has(name) || name === 'transfer-encoding' || (listed !== null && listed.has(name))) continue;
    const value = incoming[name];
    if (value !== undefined) out[name] = value;
  }
  const forwarded = forwardedValues(req);
  out['x-forwarded-for'] = forwarded.for;
  out['x-forwarded-proto'] = forwarded.proto;
  out['x-forwarded-port'] = forwarded.port;
  out['x-forwarded-host'] = forwarded.host;
  return out;
}

/**
 * Response headers for the client from the upstream response's raw header list (name, value, name,
 * value…, as received): hop-by-hop headers, `transfer-encoding` and the names listed in
 * `Connection` removed; the rest kept in order, repeated ones (`set-cookie`) included.
 */
export function downstreamResponseHeaders(raw: readonly Buffer[]): string[] {
  let listed: Set<string> | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]?.toString('latin1').toLowerCase() === 'connection') {
      listed ??= new Set();
      for (const token of (raw[i + 1]?.toString('latin1') ?? '').split(',')) listed.add(token.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]?.toString('latin1') ?? '';
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === 'transfer-encoding' || (listed !== null && listed.has(lower))) continue;
    out.push(name, raw[i + 1]?.toString('latin1') ?? '');
  }
  return out;
}

/**
 * The raw HTTP/1.1 request head of an upgrade request for the upstream socket: the original request
 * line and headers (Connection/Upgrade kept), X-Forwarded-* replaced by our values.
 */
export function upgradeRequestHead(req: IncomingMessage, path: string): string {
  const forwarded = forwardedValues(req);
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (FORWARDED_NAMES.has(lower)) continue;
    lines.push(`${name}: ${raw[i + 1] ?? ''}`);
  }
  lines.push(`X-Forwarded-For: ${forwarded.for}`, `X-Forwarded-Proto: ${forwarded.proto}`);
  lines.push(`X-Forwarded-Port: ${forwarded.port}`, `X-Forwarded-Host: ${forwarded.host}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
