import express from 'express';
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressServerOptions } from './express-server';

/** Requests and responses arrive with express's prototypes and behave as express makes them behave. */
describe('expressServerOptions', () => {
  let server: Server;
  let base: string;
  const seen: { request: boolean; response: boolean; node: boolean }[] = [];

  beforeAll(async () => {
    const app = express();
    app.use((req, res, next) => {
      seen.push({
        request: Object.getPrototypeOf(req) === app.request,
        response: Object.getPrototypeOf(res) === app.response,
        node: req instanceof IncomingMessage && res instanceof ServerResponse,
      });
      next();
    });
    app.post('/echo/:name', express.json(), (req, res) => {
      res.status(201).json({ name: req.params.name, query: req.query, body: req.body as unknown, path: req.path, ip: req.ip });
    });
    app.get('/keep', (_req, res) => {
      res.type('text').send('kept');
    });
    // Seeing the prototype a request arrives with needs a listener ahead of express.
    server = createServer(expressServerOptions(app), (req, res) => {
      seen.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response, node: true });
      app(req, res);
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('builds requests and responses with the app prototypes before express sees them', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/keep`);
    expect(await res.text()).toBe('kept');
    expect(seen).toHaveLength(2);
    expect(seen.every((s) => s.request && s.response && s.node)).toBe(true);
  });

  it('leaves express behaviour as it was: params, query, JSON body, status, headers', async () => {
    const res = await fetch(`${base}/echo/ann?x=1&y=two`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: [1, 2] }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ name: 'ann', query: { x: '1', y: 'two' }, body: { a: [1, 2] }, path: '/echo/ann', ip: '127.0.0.1' });
  });

  it('answers several requests on one kept-alive connection', async () => {
    for (let i = 0; i < 5; i++) expect(await (await fetch(`${base}/keep`)).text()).toBe('kept');
    const missing = await fetch(`${base}/nothing-here`);
    expect(missing.status).toBe(404);
  });
});
