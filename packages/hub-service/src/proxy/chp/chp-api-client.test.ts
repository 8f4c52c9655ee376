import http from 'node:http';
import { ProxyError } from '../proxy';
import { silentProxyLogger } from '../proxy-deps';
import { freePort } from '../testing/backends';
import { ChpApiClient, type ChpApiClientOptions } from './chp-api-client';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A stand-in API whose answers the test scripts (to provoke 5xx and slowness CHP never shows on demand). */
async function startApi(answer: (seen: Seen, index: number) => { status: number; body?: string; delayMs?: number } | null) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() };
      seen.push(entry);
      inFlight++;
      peak = Math.max(peak, inFlight);
      const reply = answer(entry, seen.length - 1);
      if (reply === null) return; // never answer
      setTimeout(() => {
        inFlight--;
        res.writeHead(reply.status);
        res.end(reply.body ?? '');
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    peak: () => peak,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function client(apiUrl: string, overrides: Partial<ChpApiClientOptions> = {}): ChpApiClient {
  return new ChpApiClient({
    apiUrl,
    authToken: 'secret',
    logger: silentProxyLogger(),
    timeoutMs: 2_000,
    retryBudgetMs: 5_000,
    maxConcurrency: 10,
    maxResponseBytes: 1024 * 1024,
    ...overrides,
  });
}

describe('ChpApiClient', () => {
  it('sends the token scheme and a JSON body', async () => {
    const api = await startApi(() => ({ status: 201 }));
    const chp = client(api.url);
    try {
      const response = await chp.request('POST', '/api/routes/user/a', { target: 'http://x:1' });
      expect(response.status).toBe(201);
      expect(api.seen[0]).toEqual({ method: 'POST', url: '/api/routes/user/a', authorization: 'token secret', body: '{"target":"http://x:1"}' });
    } finally {
      chp.close();
      await api.close();
    }
  });

  it('keeps a path prefix of the API URL', async () => {
    const api = await startApi(() => ({ status: 200, body: '{}' }));
    const chp = client(`${api.url}/chp/`);
    try {
      await chp.request('GET', '/api/routes');
      expect(api.seen[0]?.url).toBe('/chp/api/routes');
    } finally {
      chp.close();
      await api.close();
    }
  });

  it('retries 5xx answers and returns the first non-5xx one', async () => {
    const api = await startApi((_seen, index) => (index < 2 ? { status: 503 } : { status: 200, body: '{}' }));
    const chp = client(api.url);
    try {
      expect((await chp.request('GET', '/api/routes')).status).toBe(200);
      expect(api.seen).toHaveLength(3);
    } finally {
      chp.close();
      await api.close();
    }
  });

  it('does not retry 4xx answers', async () => {
    const api = await startApi(() => ({ status: 403 }));
    const chp = client(api.url);
    try {
      expect((await chp.request('GET', '/api/routes')).status).toBe(403);
      expect(api.seen).toHaveLength(1);
    } finally {
      chp.close();
      await api.close();
    }
  });

  it('gives up with ProxyError once the retry budget is spent', async () => {
    const chp = client(`http://127.0.0.1:${await freePort()}`, { retryBudgetMs: 300 });
    await expect(chp.request('GET', '/api/routes')).rejects.toBeInstanceOf(ProxyError);
    chp.close();
  });

  it('times out an attempt that gets no answer', async () => {
    const api = await startApi(() => null);
    const chp = client(api.url, { timeoutMs: 100, retryBudgetMs: 250 });
    try {
      await expect(chp.request('GET', '/api/routes')).rejects.toThrow(/timed out/);
    } finally {
      chp.close();
      await api.close();
    }
  });

  it('stops when the caller aborts', async () => {
    const chp = client(`http://127.0.0.1:${await freePort()}`);
    const controller = new AbortController();
    const pending = chp.request('GET', '/api/routes', undefined, controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow(/aborted/);
    chp.close();
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    const api = await startApi(() => ({ status: 204, delayMs: 20 }));
    const chp = client(api.url, { maxConcurrency: 4 });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => chp.request('DELETE', `/api/routes/u${i}`)));
      expect(api.seen).toHaveLength(20);
      expect(api.peak()).toBe(4);
    } finally {
      chp.close();
      await api.close();
    }
  });
});
