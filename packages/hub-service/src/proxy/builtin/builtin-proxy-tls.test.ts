/**
 * The built-in proxy with `tls` (hub.tls): HTTPS and WSS to plain backends, X-Forwarded-Proto
 * https, a renewed certificate served without a restart, a broken renewal keeping the last good
 * one, and files that cannot serve refused at start, naming the key. Certificates from the real
 * openssl (testing/self-signed.ts).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { WebSocket } from 'ws';
import { startEchoBackend, startWsEchoBackend, waitFor, type EchoReply, type TestBackend, type WsTestBackend } from '../testing/backends';
import { makeSelfSigned, type TestCertificate } from '../testing/self-signed';
import { BuiltinProxy } from './builtin-proxy';

/** GETs `url` over HTTPS trusting `ca` only. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, signal: AbortSignal.timeout(10_000) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The SHA-256 fingerprint of the certificate the listener presents now. */
function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

describe('BuiltinProxy with TLS', () => {
  let dir: string;
  let first: TestCertificate;
  let backend: TestBackend;
  let wsBackend: WsTestBackend;
  const warnings: string[] = [];
  const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_f: object, m: string) => void warnings.push(m) };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clusterhub-proxy-tls-'));
    first = makeSelfSigned(dir, 'first');
    // The files the proxy serves; a renewal replaces them in place.
    copyFileSync(first.certFile, join(dir, 'live.crt'));
    copyFileSync(first.keyFile, join(dir, 'live.key'));
    [backend, wsBackend] = await Promise.all([startEchoBackend('echo'), startWsEchoBackend()]);
  });
  afterAll(async () => {
    await Promise.all([backend.close(), wsBackend.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS and WSS, tells the backend the request came over https, and serves a renewed certificate without a restart', async () => {
    const proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0, tls: { certFile: join(dir, 'live.crt'), keyFile: join(dir, 'live.key') }, tlsReloadIntervalMs: 50, logger });
    await proxy.start();
    try {
      await proxy.addRoute('/user/alice/', backend.url, {});
      await proxy.addRoute('/ws/', wsBackend.url, {});
      const reply = await httpsGet(`https://127.0.0.1:${proxy.port}/user/alice/api/status`, first.pem);
      expect(reply.status).toBe(200);
      const echo = JSON.parse(reply.body) as EchoReply;
      expect(echo.headers['x-forwarded-proto']).toBe('https');
      expect(echo.url).toBe('/user/alice/api/status');

      const socket = new WebSocket(`wss://127.0.0.1:${proxy.port}/ws/chat`, { ca: first.pem });
      const echoed = await new Promise<string>((resolve, reject) => {
        socket.on('open', () => socket.send('over wss'));
        socket.on('message', (data: Buffer) => resolve(data.toString('utf8')));
        socket.on('error', reject);
      });
      socket.close();
      expect(echoed).toBe('over wss');
      expect(wsBackend.upgrades.at(-1)?.headers['x-forwarded-proto']).toBe('https');

      // A plain-HTTP client on the HTTPS port is not served the hub.
      await expect(fetch(`http://127.0.0.1:${proxy.port}/user/alice/api/status`)).rejects.toThrow();

      expect(await presented(proxy.port)).toBe(first.fingerprint256);
      // A renewal that is half written (a key that is not the certificate's) keeps the last good pair.
      const second = makeSelfSigned(dir, 'second');
      copyFileSync(second.certFile, join(dir, 'live.crt'));
      expect(await waitFor(async () => warnings.some((w) => w.includes('the last good certificate stays')))).toBe(true);
      expect(await presented(proxy.port)).toBe(first.fingerprint256);
      expect((await httpsGet(`https://127.0.0.1:${proxy.port}/user/alice/`, first.pem)).status).toBe(200);
      // Then the key arrives: the new certificate is served, and trusted clients of it get through.
      copyFileSync(second.keyFile, join(dir, 'live.key'));
      expect(await waitFor(async () => (await presented(proxy.port)) === second.fingerprint256)).toBe(true);
      expect((await httpsGet(`https://127.0.0.1:${proxy.port}/user/alice/`, second.pem)).status).toBe(200);
      await expect(httpsGet(`https://127.0.0.1:${proxy.port}/user/alice/`, first.pem)).rejects.toThrow(/self[- ]signed|certificate/i);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses to start with files that cannot serve, naming the key at fault', async () => {
    const other = makeSelfSigned(dir, 'other');
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello\n');
    const cases: Array<[{ certFile: string; keyFile: string }, RegExp]> = [
      [{ certFile: join(dir, 'missing.crt'), keyFile: first.keyFile }, /^hub\.tls\.certFile: cannot read .*missing\.crt \(ENOENT\)$/],
      [{ certFile: join(dir, 'not-a-cert.pem'), keyFile: first.keyFile }, /^hub\.tls\.certFile: .* holds no PEM certificate$/],
      [{ certFile: first.certFile, keyFile: other.keyFile }, /^hub\.tls\.keyFile: .* do not make a TLS context/],
    ];
    for (const [files, message] of cases) {
      const proxy = new BuiltinProxy({ ip: '127.0.0.1', port: 0, tls: files, logger });
      await expect(proxy.start()).rejects.toThrow(message);
      expect(proxy.address()).toBeNull();
    }
  });
});
