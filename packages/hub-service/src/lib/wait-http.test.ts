import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForHttp } from './wait-http';

let server: Server | null = null;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  server = s;
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/user/alice/api`;
}

afterEach(async () => {
  const s = server;
  server = null;
  if (s) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

describe('waitForHttp', () => {
  it('retries 5xx answers until the server answers below 500', async () => {
    let calls = 0;
    const url = await listen((_req, res) => {
      calls += 1;
      res.writeHead(calls <= 2 ? 503 : 200).end();
    });
    await expect(waitForHttp(url, { timeoutMs: 10_000 })).resolves.toBe(200);
    expect(calls).toBe(3);
  });

  it('counts 4xx as up (the server answers, it is just not authorised)', async () => {
    const url = await listen((_req, res) => res.writeHead(403).end());
    await expect(waitForHttp(url, { timeoutMs: 10_000 })).resolves.toBe(403);
  });

  it('gives up after the time-out with the last error', async () => {
    const url = await listen((_req, res) => res.writeHead(502).end());
    await expect(waitForHttp(url, { timeoutMs: 300 })).rejects.toThrow(/did not answer within .*HTTP 502/);
  });

  it('gives up when nothing listens', async () => {
    const url = await listen((_req, res) => res.end());
    const s = server;
    server = null;
    await new Promise<void>((resolve) => s?.close(() => resolve()));
    await expect(waitForHttp(url, { timeoutMs: 300 })).rejects.toThrow(/did not answer within/);
  });

  it('stops when the signal aborts', async () => {
    const url = await listen((_req, res) => res.writeHead(503).end());
    const controller = new AbortController();
    const pending = waitForHttp(url, { timeoutMs: 60_000, signal: controller.signal });
    controller.abort(new Error('cancelled by test'));
    await expect(pending).rejects.toThrow('cancelled by test');
  });
});
