/**
 * Test helpers for the Proxy contract suite and the proxy integration tests: real HTTP and
 * WebSocket backends on 127.0.0.1, a small HTTP client and bounded waiting.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** A backend server started by a test. */
export interface TestBackend {
  /** `http://127.0.0.1:<port>`: what a route targets. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What the echo backend answers: the request as it arrived. */
export interface EchoReply {
  readonly backend: string;
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyLength: number;
  readonly bodySha256: string;
  readonly body: string;
}

/** Text message that makes the WebSocket echo backend close the connection with code 4002. */
export const CLOSE_REQUEST = '__close__';

/** A WebSocket echo backend that also remembers the upgrade requests it saw. */
export interface WsTestBackend extends TestBackend {
  readonly upgrades: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * An HTTP backend answering every request with an {@link EchoReply} as JSON, except
 * `GET <anything>/bytes/<n>`, which streams n bytes, and paths containing `/status/<code>`.
 */
export async function startEchoBackend(name: string): Promise<TestBackend> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const bytes = /\/bytes\/(\d+)/.exec(url);
    if (bytes !== null) {
      const total = Number(bytes[1]);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 120);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += piece.length;
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    const status = /\/status\/(\d{3})/.exec(url);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const reply: EchoReply = {
        backend: name,
        method: req.method ?? '',
        url,
        headers: req.headers,
        bodyLength: body.length,
        bodySha256: createHash('sha256').update(body).digest('hex'),
        body: body.length <= 4096 ? body.toString('utf8') : '',
      };
      res.writeHead(status === null ? 200 : Number(status[1]), { 'content-type': 'application/json', 'x-backend': name });
      res.end(JSON.stringify(reply));
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, port, close: () => closeServer(server) };
}

/** A WebSocket backend echoing every message back (text stays text), closing on {@link CLOSE_REQUEST}. */
export async function startWsEchoBackend(): Promise<WsTestBackend> {
  const server = http.createServer((_req, res) => {
    res.writeHead(426);
    res.end();
  });
  const upgrades: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    socket.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === CLOSE_REQUEST) socket.close(4002, 'asked to close');
      else socket.send(data, { binary: isBinary });
    });
  });
  const port = await listen(server);
  const close = async (): Promise<void> => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await closeServer(server);
  };
  return { url: `http://127.0.0.1:${port}`, port, upgrades, close };
}

/** A response read completely. */
export interface TestResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One HTTP request on a fresh connection (no pooling), failing after `timeoutMs`. */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Parses a JSON response body (throws if it is not JSON). */
export function jsonBody<T>(response: TestResponse): T {
  return JSON.parse(response.body.toString('utf8')) as T;
}

/** A TCP port that was free a moment ago (bind to 0, read, release). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Opens a WebSocket, sends each message, collects as many replies, closes; fails after `timeoutMs`. */
export function wsExchange(url: string, messages: readonly string[], timeoutMs = 10_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const replies: string[] = [];
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no WebSocket echo from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('open', () => {
      for (const message of messages) socket.send(message);
    });
    socket.on('message', (data: Buffer) => {
      replies.push(data.toString('utf8'));
      if (replies.length === messages.length) socket.close(1000);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(replies);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Calls `check` every `intervalMs` until it returns true, at most `attempts` times; returns the last result. */
export async function waitFor(check: () => Promise<boolean>, attempts = 100, intervalMs = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
