// A counting relay for the Kubernetes benchmark: a plain-HTTP listener on loopback that forwards
// every request to the real API server (HTTPS, the cluster's CA) and counts it by verb and
// resource (packages/hub-service/src/bench/k8s-requests.ts), so the benchmark sees every request the hub makes (watches included) without touching
// the hub. Bench tooling, not part of the hub.
/* global URL */
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { requestKind } = require('../../packages/hub-service/lib/bench/k8s-requests.js');

/**
 * Starts the relay in front of `apiUrl` (https) trusting `caFile`. Returns
 * { url, counts() (a Map kind → count since the last reset), reset(), close() }.
 */
export async function startCountingRelay(apiUrl, caFile) {
  const target = new URL(apiUrl);
  const ca = readFileSync(caFile);
  let counts = new Map();
  const sockets = new Set();
  const server = createServer((req, res) => {
    const kind = requestKind(req.method ?? 'GET', req.url ?? '/');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const upstream = httpsRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, ca },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.flushHeaders(); // a watch sends its headers long before its first event
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => new Map(counts),
    reset: () => {
      counts = new Map();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
