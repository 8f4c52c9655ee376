import http from 'node:http';
import net from 'node:net';
import { WebSocket } from 'ws';
import { ProxyError } from '../proxy';
import {
  CLOSE_REQUEST,
  freePort,
  httpRequest,
  jsonBody,
  startEchoBackend,
  startWsEchoBackend,
  waitFor,
  wsExchange,
  type EchoReply,
  type TestBackend,
  type WsTestBackend,
} from '../testing/backends';
import { BuiltinProxy } from './builtin-proxy';

describe('BuiltinProxy', () => {
  let backend: TestBackend;
  let wsBackend: WsTestBackend;
  let proxy: BuiltinProxy;
  let now = 1_000_000;
  const base = (): string => `http://127.0.0.1:${proxy.port}`;

  beforeAll(async () => {
    [backend, wsBackend] = await Promise.all([startEchoBackend('echo'), startWsEchoBackend()]);
  });
  afterAll(async () => {
    await Promise.all([backend.close(), wsBackend.close()]);
  });
  beforeEach(async () => {
    proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0, clock: () => now });
    await proxy.start();
  });
  afterEach(async () => {
    await proxy.stop();
  });

  it('binds port 0 to a free port and reports its address', () => {
    expect(proxy.kind).toBe('builtin');
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.address()).toMatchObject({ address: '127.0.0.1', port: proxy.port });
  });

  it('answers 404 JSON when no route matches, also for WebSocket upgrades', async () => {
    const response = await httpRequest(`${base()}/nowhere`);
    expect(response.status).toBe(404);
    expect(jsonBody(response)).toEqual({ code: 'not_found', message: expect.any(String), status: 404 });
    await expect(wsExchange(`ws://127.0.0.1:${proxy.port}/nowhere`, ['x'])).rejects.toThrow(/404/);
  });

  it('never logs the query string (tokens, _xsrf, OAuth codes) of a request it could not forward', async () => {
    const lines: string[] = [];
    const capture = (fields: object, message: string): void => {
      lines.push(`${message} ${JSON.stringify(fields)}`);
    };
    const logged = new BuiltinProxy({ ip: '127.0.0.1', port: 0, clock: () => now, logger: { debug: capture, info: capture, warn: capture, error: capture } });
    await logged.start();
    try {
      await logged.addRoute('/user/alice/', `http://127.0.0.1:${await freePort()}`, {});
      const secrets = ['tok0123456789secret', 'xsrf0123456789secret', 'code0123456789secret', 'state0123456789secret'];
      const query = `?token=${secrets[0]}&_xsrf=${secrets[1]}&code=${secrets[2]}&state=${secrets[3]}`;
      expect((await httpRequest(`http://127.0.0.1:${logged.port}/user/alice/api/kernels${query}`)).status).toBe(503);
      await expect(wsExchange(`ws://127.0.0.1:${logged.port}/user/alice/api/kernels/k1/channels${query}`, ['x'])).rejects.toThrow(/503/);
      const text = lines.join('\n');
      expect(text).toContain('/user/alice/api/kernels');
      expect(text).toContain('/user/alice/api/kernels/k1/channels');
      for (const secret of secrets) expect({ secret, logged: text.includes(secret) }).toEqual({ secret, logged: false });
      expect(text).not.toContain('?');
    } finally {
      await logged.stop();
    }
  });

  it('answers 503 backend_unavailable JSON when the target is down, also for WebSockets', async () => {
    await proxy.addRoute('/down/', `http://127.0.0.1:${await freePort()}`, {});
    const response = await httpRequest(`${base()}/down/x`, { method: 'POST', body: 'payload' });
    expect(response.status).toBe(503);
    expect(jsonBody(response)).toEqual({ code: 'backend_unavailable', message: expect.stringContaining('/down/'), status: 503 });
    await expect(wsExchange(`ws://127.0.0.1:${proxy.port}/down/`, ['x'])).rejects.toThrow(/503/);
  });

  it('records activity from the injected clock on success only', async () => {
    await proxy.addRoute('/act/', backend.url, {});
    expect((await proxy.getAllRoutes()).get('/act/')?.lastActivity).toEqual(new Date(1_000_000));
    now = 2_000_000;
    expect((await httpRequest(`${base()}/act/status/404`)).status).toBe(404);
    expect((await httpRequest(`${base()}/act/status/302`)).status).toBe(302);
    expect((await proxy.getAllRoutes()).get('/act/')?.lastActivity).toEqual(new Date(1_000_000));
    expect((await httpRequest(`${base()}/act/status/201`)).status).toBe(201);
    expect((await proxy.getAllRoutes()).get('/act/')?.lastActivity).toEqual(new Date(2_000_000));
    now = 3_000_000;
    await proxy.addRoute('/actws/', wsBackend.url, {});
    now = 4_000_000;
    await wsExchange(`ws://127.0.0.1:${proxy.port}/actws/`, ['ping']);
    expect((await proxy.getAllRoutes()).get('/actws/')?.lastActivity).toEqual(new Date(4_000_000));
  });

  it('appends to incoming X-Forwarded-* and drops hop-by-hop headers', async () => {
    await proxy.addRoute('/hdr/', backend.url, {});
    const reply = jsonBody<EchoReply>(
      await httpRequest(`${base()}/hdr/`, {
        headers: {
          'x-forwarded-for': '10.0.0.1',
          'x-forwarded-host': 'hub.example.org',
          'x-forwarded-proto': 'https',
          connection: 'x-secret, keep-alive',
          'x-secret': 'hop',
          'keep-alive': 'timeout=5',
        },
      }),
    );
    expect(reply.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(reply.headers['x-forwarded-host']).toBe('hub.example.org');
    expect(reply.headers['x-forwarded-proto']).toBe('https, http');
    expect(reply.headers['x-secret']).toBeUndefined();
    expect(reply.headers['keep-alive']).toBeUndefined();
  });

  it('prepends a path on the target', async () => {
    await proxy.addRoute('/svc/', `${backend.url}/prefix`, {});
    expect(jsonBody<EchoReply>(await httpRequest(`${base()}/svc/a?b=1`)).url).toBe('/prefix/svc/a?b=1');
  });

  it('keeps routes across stop and start', async () => {
    await proxy.addRoute('/keep/', backend.url, { jupyterhub: true });
    await proxy.stop();
    await proxy.start();
    expect(jsonBody<EchoReply>(await httpRequest(`${base()}/keep/x`)).backend).toBe('echo');
  });

  it('rejects malformed routespecs and targets', async () => {
    await expect(proxy.addRoute('/no-slash', backend.url, {})).rejects.toThrow(RangeError);
    await expect(proxy.addRoute('/x/', 'ftp://127.0.0.1', {})).rejects.toThrow(RangeError);
  });

  it('fails to start with ProxyError when the port is taken', async () => {
    const other = new BuiltinProxy({ ip: '127.0.0.1', port: proxy.port });
    await expect(other.start()).rejects.toBeInstanceOf(ProxyError);
  });

  it('answers 503 when a target accepts but stays silent past the idle timeout', async () => {
    const silent = net.createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as net.AddressInfo).port;
    const strict = new BuiltinProxy({ ip: '127.0.0.1', port: 0, upstreamIdleTimeoutMs: 200 });
    await strict.start();
    try {
      await strict.addRoute('/slow/', `http://127.0.0.1:${port}`, {});
      expect((await httpRequest(`http://127.0.0.1:${strict.port}/slow/`)).status).toBe(503);
    } finally {
      await strict.stop();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('closes proxied WebSockets on stop, and passes closes from either side through', async () => {
    await proxy.addRoute('/ws/', wsBackend.url, {});
    const open = async (): Promise<WebSocket> => {
      const socket = new WebSocket(`ws://127.0.0.1:${proxy.port}/ws/`);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      return socket;
    };
    const closeCode = (socket: WebSocket): Promise<number> =>
      new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));

    const first = await open();
    expect(proxy.openUpgradedConnections).toBe(1);
    const firstClosed = closeCode(first);
    await proxy.stop();
    expect(await firstClosed).toBe(1006);

    await proxy.start();
    const byClient = await open();
    const byClientClosed = closeCode(byClient);
    byClient.close(4001);
    expect(await byClientClosed).toBe(4001);

    const byBackend = await open();
    const byBackendClosed = closeCode(byBackend);
    byBackend.send(CLOSE_REQUEST);
    expect(await byBackendClosed).toBe(4002);
    expect(await waitFor(async () => proxy.openUpgradedConnections === 0)).toBe(true);
  });

  it('carries a large upgraded stream both ways intact under backpressure, and passes a half-close through', async () => {
    // A raw upgrade backend that echoes, reading in bursts with pauses so both directions fill up.
    const echo = net.createServer((socket) => {
      let head = '';
      const onHead = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onHead);
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: raw\r\nConnection: Upgrade\r\n\r\n');
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length > 0) socket.write(rest);
        socket.on('data', (data: Buffer) => {
          if (!socket.write(data)) {
            socket.pause();
            socket.once('drain', () => setTimeout(() => socket.resume(), 5));
          }
        });
        socket.on('end', () => socket.end());
      };
      socket.on('data', onHead);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const port = (echo.address() as net.AddressInfo).port;
    await proxy.addRoute('/raw/', `http://127.0.0.1:${port}`, {});

    const payload = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE(i, i);
    const client = net.connect(proxy.port, '127.0.0.1');
    const received: Buffer[] = [];
    let size = 0;
    let upgraded = false;
    let pendingHead = Buffer.alloc(0);
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    client.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        pendingHead = Buffer.concat([pendingHead, chunk]);
        const end = pendingHead.indexOf('\r\n\r\n');
        if (end < 0) return;
        expect(pendingHead.subarray(0, 12).toString()).toBe('HTTP/1.1 101');
        upgraded = true;
        chunk = pendingHead.subarray(end + 4);
        // Start sending only once upgraded; then stop reading for a while so the proxy must hold back.
        client.write(payload, () => client.end());
        client.pause();
        setTimeout(() => client.resume(), 200);
      }
      received.push(chunk);
      size += chunk.length;
    });
    client.write('GET /raw/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: raw\r\n\r\n');
    await ended;
    echo.close();
    expect(size).toBe(payload.length);
    expect(Buffer.concat(received).equals(payload)).toBe(true);
    expect(await waitFor(async () => proxy.openUpgradedConnections === 0)).toBe(true);
  });

  it('streams a chunked request body', async () => {
    await proxy.addRoute('/chunked/', backend.url, {});
    const reply = await new Promise<EchoReply>((resolve, reject) => {
      const req = http.request(`${base()}/chunked/`, { method: 'POST', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as EchoReply));
      });
      req.on('error', reject);
      req.write('first,');
      req.write('second');
      req.end();
    });
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(reply.body).toBe('first,second');
  });

  it('retries a body-less request once when a reused keep-alive connection turns out closed', async () => {
    // A target that answers the first request of each connection and drops the connection on the second.
    const flaky = net.createServer((socket) => {
      let requests = 0;
      socket.on('data', (data: Buffer) => {
        requests += data.toString().split('\r\n\r\n').length - 1;
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', () => resolve()));
    try {
      await proxy.addRoute('/flaky/', `http://127.0.0.1:${(flaky.address() as net.AddressInfo).port}`, {});
      expect((await httpRequest(`${base()}/flaky/1`)).status).toBe(200);
      expect((await httpRequest(`${base()}/flaky/2`)).status).toBe(200);
      expect((await httpRequest(`${base()}/flaky/3`, { method: 'POST', body: 'data' })).status).toBe(503);
    } finally {
      await proxy.stop();
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it('forwards many concurrent requests over kept-alive connections', async () => {
    await proxy.addRoute('/many/', backend.url, {});
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      const statuses = await Promise.all(
        Array.from(
          { length: 100 },
          (_, i) =>
            new Promise<number>((resolve, reject) => {
              http
                .get(`${base()}/many/${i}`, { agent }, (res) => {
                  res.resume();
                  res.on('end', () => resolve(res.statusCode ?? 0));
                })
                .on('error', reject);
            }),
        ),
      );
      expect(statuses.every((status) => status === 200)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
