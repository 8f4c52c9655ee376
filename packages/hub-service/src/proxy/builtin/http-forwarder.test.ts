/**
 * The HTTP data plane of the built-in proxy against plain Node backends: response headers as the
 * target sent them (repeated ones kept, hop-by-hop ones dropped), large bodies both ways with
 * backpressure, upstream connections known as the proxy's own, a client that leaves mid-response.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../testing/backends';
import { BuiltinProxy } from './builtin-proxy';
import { isBuiltinProxyConnection } from './own-connections';

let backend: http.Server;
let proxy: BuiltinProxy;
/** Whether the last request reached the backend over a connection the proxy knows as its own. */
let lastFromProxy = false;
/** How the last streamed response ended at the backend: `finished` or `closed` (the proxy let go of it). */
let streamEnd: 'finished' | 'closed' | null = null;

const MIB = 1024 * 1024;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A deterministic body of `size` bytes. */
function bodyOf(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) out[i] = (i * 31 + 7) % 251;
  return out;
}

beforeAll(async () => {
  backend = http.createServer((req, res) => {
    lastFromProxy = isBuiltinProxyConnection(req.socket.remoteAddress, req.socket.remotePort);
    if (req.url === '/t/headers') {
      res.writeHead(200, [
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['Connection', 'keep-alive, X-Private'],
        ['X-Private', 'hop'],
        ['Keep-Alive', 'timeout=5'],
        ['X-Kept', 'yes'],
      ].flat());
      res.end('ok');
      return;
    }
    if (req.url === '/t/echo-hash') {
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => hash.update(chunk));
      req.on('end', () => res.end(hash.digest('hex')));
      return;
    }
    if (req.url === '/t/big') {
      res.writeHead(200, { 'Content-Length': String(8 * MIB) });
      res.end(bodyOf(8 * MIB));
      return;
    }
    if (req.url === '/t/endless') {
      streamEnd = null;
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const timer = setInterval(() => res.write(chunk), 5);
      res.on('close', () => {
        clearInterval(timer);
        streamEnd = res.writableFinished ? 'finished' : 'closed';
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
  proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0 });
  await proxy.start();
  await proxy.addRoute('/t/', `http://127.0.0.1:${(backend.address() as AddressInfo).port}`, {});
});

afterAll(async () => {
  await proxy.stop();
  backend.closeAllConnections();
  await new Promise<void>((resolve) => backend.close(() => resolve()));
});

/** One request through the proxy; resolves with the response and its whole body. */
function through(path: string, opts: { method?: string; body?: Buffer; slowReader?: boolean } = {}): Promise<{ res: http.IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, path, method: opts.method ?? 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (opts.slowReader) {
          res.pause();
          setTimeout(() => res.resume(), 1);
        }
      });
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('HttpForwarder', () => {
  it('passes response headers through in order, repeated ones kept, hop-by-hop and Connection-listed ones dropped', async () => {
    const { res, body } = await through('/t/headers');
    expect(body.toString()).toBe('ok');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['x-kept']).toBe('yes');
    expect(res.headers['x-private']).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(lastFromProxy).toBe(true);
  });

  it('carries large bodies both ways intact, also to a slow reader', async () => {
    const upload = bodyOf(3 * MIB + 17);
    const up = await through('/t/echo-hash', { method: 'POST', body: upload });
    expect(up.body.toString()).toBe(sha256(upload));
    const down = await through('/t/big', { slowReader: true });
    expect(down.res.headers['content-length']).toBe(String(8 * MIB));
    expect(sha256(down.body)).toBe(sha256(bodyOf(8 * MIB)));
  });

  it('lets go of the upstream response when the client leaves in the middle of it', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: proxy.port, path: '/t/endless', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    });
    expect(await waitFor(async () => streamEnd === 'closed')).toBe(true);
  });
});
