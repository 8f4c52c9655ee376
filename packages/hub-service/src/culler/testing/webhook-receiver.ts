/**
 * A local HTTP receiver for the culler's webhook in tests: records each POST (headers and JSON
 * body) and answers with the status the test sets (200 by default; 0: never answers).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedEvent {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as sent (the signature covers these bytes). */
  readonly raw: string;
  /** The body parsed as JSON. */
  readonly body: Record<string, unknown>;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook`. */
  readonly url: string;
  readonly events: ReceivedEvent[];
  /** The status of later answers (0: none, the request hangs until closed). */
  answerWith(status: number): void;
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const events: ReceivedEvent[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      events.push({ headers: req.headers, raw, body: JSON.parse(raw) as Record<string, unknown> });
      if (status !== 0) res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    events,
    answerWith: (s) => {
      status = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
