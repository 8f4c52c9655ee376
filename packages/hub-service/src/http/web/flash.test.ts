import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { FLASH_TTL_MS, FlashStore } from './flash';

/** One-time values: taken once, by the user who stored them, within the TTL; cookie flags follow the request. */
describe('FlashStore', () => {
  let now = 1_000_000;
  let server: Server;
  let base: string;
  const store = new FlashStore<string>({ cookie: 'f', path: '/hub/page', clock: () => now, secure: (req) => req.headers['x-https'] === '1' });

  beforeAll(async () => {
    const app = express();
    app.post('/put/:user', (req, res) => {
      store.put(req, res, Number(req.params.user), `value-of-${req.params.user}`);
      res.end();
    });
    app.get('/take/:user', (req, res) => {
      res.json({ value: store.take(req, res, Number(req.params.user)) ?? null });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  const put = async (user: number, https = false): Promise<string> => {
    const res = await fetch(`${base}/put/${user}`, { method: 'POST', headers: https ? { 'x-https': '1' } : {} });
    return res.headers.getSetCookie()[0] ?? '';
  };
  const take = async (user: number, cookie: string): Promise<unknown> =>
    ((await (await fetch(`${base}/take/${user}`, { headers: { cookie: cookie.split(';')[0] ?? '' } })).json()) as { value: unknown }).value;

  it('sets an HttpOnly, SameSite=Strict cookie on the page path, Secure over HTTPS', async () => {
    const plain = await put(1);
    expect(plain).toMatch(/^f=[\w-]+; Max-Age=120; Path=\/hub\/page; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    expect(await put(1, true)).toMatch(/; Secure/);
  });

  it('gives the value once, to its user only, before it expires', async () => {
    const cookie = await put(7);
    expect(await take(8, cookie)).toBeNull();
    expect(await take(7, cookie)).toBe('value-of-7');
    expect(await take(7, cookie)).toBeNull();
    const late = await put(7);
    now += FLASH_TTL_MS;
    expect(await take(7, late)).toBeNull();
  });
});
