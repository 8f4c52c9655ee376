// Proxy rows: GET through the proxy at c=100 (direct, CHP, clusterhub's built-in proxy) and the
// RSS growth of the proxy process per 1,000 open websockets (CHP, clusterhub).
/* global clearTimeout, setTimeout */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { runWrk } from './wrk.mjs';
import { freePort, heapAfterGcKiB, rssKiB } from './procs.mjs';
import { startBackend, startChp, startClusterhubProxy } from './systems.mjs';

const SOCKETS = 1000;

function openSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`websocket ${url} did not echo within 10 s`));
    }, 10_000);
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.once('open', () => ws.send('x'.repeat(100)));
    ws.once('message', () => {
      clearTimeout(timer);
      resolve(ws);
    });
  });
}

/**
 * RSS growth (MiB per 1,000) of `pid` with SOCKETS websockets open through `url`, each after one echo,
 * each reading right after a full garbage collection in the proxy (its inspector on `inspectPort`), so
 * that garbage left by the handshakes does not count, whenever the collector would have run.
 */
async function websocketGrowth(pid, url, inspectPort) {
  await sleep(1000);
  await heapAfterGcKiB(inspectPort);
  const before = rssKiB(pid);
  const sockets = [];
  try {
    for (let i = 0; i < SOCKETS; i += 100) sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, SOCKETS - i) }, () => openSocket(url)))));
    await sleep(2000);
    await heapAfterGcKiB(inspectPort);
    const after = rssKiB(pid);
    return ((after - before) / 1024) * (1000 / SOCKETS);
  } finally {
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise((resolve) => {
            const t = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 5_000);
            ws.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            ws.close();
          }),
      ),
    );
  }
}

/** Runs the proxy rows with the backend on the load generator's core and each proxy on the server's. */
export async function proxyPhase({ dir, reps, durationS, warmupS, record, log }) {
  const backend = await startBackend(join(dir, 'backend'));
  try {
    const chp = await startChp(join(dir, 'chp'), backend.url);
    const ours = await startClusterhubProxy(join(dir, 'clusterhub-proxy'), backend.url);
    const systems = [
      { id: 'reference', name: 'direct', url: backend.url },
      { id: 'anchor', name: 'chp', url: chp.url },
      { id: 'ours', name: 'clusterhub', url: ours.url },
    ];
    try {
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 === 0 ? systems : [...systems].reverse();
        for (const s of order) {
          const url = `${s.url}/user/bench/`;
          if (warmupS > 0) await runWrk(dir, url, { connections: 100, durationS: warmupS });
          const r = await runWrk(dir, url, { connections: 100, durationS });
          log(`  rep ${rep + 1} proxy-get ${s.name}: ${r.requestsPerSec.toFixed(0)} req/s, p99 ${r.latencyMs.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`);
          record('proxy-get', s.id, { value: r.requestsPerSec, p99Ms: r.latencyMs.p99 }, r);
        }
      }
    } finally {
      await Promise.all([ours.stop(), chp.stop()]);
    }
    // Websockets on freshly started proxies: after the HTTP load a heap has room to spare, and
    // its garbage collection would hide (or invert) the growth.
    const starters = [
      { id: 'anchor', name: 'chp', start: (d, env) => startChp(d, backend.url, { env }) },
      { id: 'ours', name: 'clusterhub', start: (d, env) => startClusterhubProxy(d, backend.url, { env }) },
    ];
    for (let rep = 0; rep < reps; rep++) {
      for (const s of rep % 2 === 0 ? starters : [...starters].reverse()) {
        const inspectPort = await freePort();
        const proxy = await s.start(join(dir, `ws-${s.name}-${rep}`), { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}` });
        try {
          const mib = await websocketGrowth(proxy.proc.pid, `${proxy.url.replace(/^http/, 'ws')}/user/bench/ws`, inspectPort);
          log(`  rep ${rep + 1} websockets ${s.name}: +${mib.toFixed(1)} MiB per 1,000`);
          record('ws-rss', s.id, { value: mib });
        } finally {
          await proxy.stop();
        }
      }
    }
  } finally {
    await backend.stop();
  }
}
