/**
 * A tiny HTTP server on 127.0.0.1 (free port) that answers the hub API paths a test scripts, and
 * records the requests it got. Tests only: it lets the client run its real fetch over a real socket.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One scripted answer. `delayMs` holds the answer back (to exercise timeouts and cancellation). */
export interface IStubAnswer {
  status: number;
  body?: unknown;
  /** Raw body text, sent instead of JSON. */
  text?: string;
  delayMs?: number;
}

/** A request the stub received. */
export interface IStubRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running stub hub. */
export interface IStubHub {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Requests received, oldest first. */
  readonly requests: IStubRequest[];
  /** Sets the answer for `METHOD /path` (path without query). */
  answer(method: string, path: string, answer: IStubAnswer): void;
  /** Closes the server (and any connection still open). */
  close(): Promise<void>;
}

/** Starts a stub hub; unscripted paths answer 404 with a hub error body. */
export async function startStubHub(): Promise<IStubHub> {
  const answers = new Map<string, IStubAnswer>();
  const requests: IStubRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      requests.push({ method, url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const path = url.split('?')[0] ?? url;
      const answer = answers.get(`${method} ${path}`) ?? {
        status: 404,
        body: { code: 'not_found', message: `No stub for ${method} ${path}`, status: 404 },
      };
      const send = (): void => {
        const text = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(text);
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, answer.delayMs);
        timers.add(timer);
      } else {
        send();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stub hub: no TCP address');
  const port = address.port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answer: (method, path, answer) => answers.set(`${method} ${path}`, answer),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
