// Hub API rows: reads with the admin and the user's own token, the user list, activity POSTs,
// and a bulk create of 1,000 users with a probe alongside. Both hubs run; systems alternate.
/* global AbortSignal, fetch, performance */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { activityScript, runWrk } from './wrk.mjs';
import { startClusterhub, startJupyterHub, hubReady } from './systems.mjs';

async function call(hub, method, path, body, token = hub.token) {
  const res = await fetch(`${hub.apiUrl}${path}`, {
    method,
    headers: { Authorization: `token ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} on ${hub.name}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** Creates the benchmark's users and the user's own token. */
async function prepare(hub) {
  await call(hub, 'POST', '/users/bench');
  await call(hub, 'POST', '/users/bench-activity');
  const { token } = await call(hub, 'POST', '/users/bench/tokens', { note: 'bench' });
  hub.userToken = token;
}

/** Bulk create of `usernames` in one request while a probe calls `GET /hub/api/` back to back. */
export async function bulkCreate(hub, usernames) {
  let stop = false;
  let probeMaxMs = 0;
  let probeError = null;
  const probe = (async () => {
    while (!stop) {
      const t = performance.now();
      try {
        const res = await fetch(`${hub.apiUrl}/`, { signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
      } catch (err) {
        probeError = err;
        return;
      }
      probeMaxMs = Math.max(probeMaxMs, performance.now() - t);
      await sleep(5);
    }
  })();
  try {
    await sleep(100);
    const t0 = performance.now();
    await call(hub, 'POST', '/users', { usernames });
    const seconds = (performance.now() - t0) / 1000;
    if (probeError) throw new Error(`the probe of ${hub.name} failed: ${probeError.message}`);
    return { value: seconds, probeMaxMs };
  } finally {
    stop = true;
    await probe;
  }
}

/** The wrk rows: id, label, request, connections. */
function wrkRows(hub) {
  return [
    { id: 'read-admin', path: '/users/bench', token: hub.token },
    { id: 'read-user', path: '/users/bench', token: hub.userToken },
    { id: 'list-200', path: '/users?limit=200', token: hub.token },
    { id: 'activity', path: '/users/bench-activity/activity', token: hub.token, script: hub.activityScript },
  ];
}

/** Runs the API rows; `record(rowId, system, sample, raw)` collects the results. */
export async function apiPhase({ dir, reps, durationS, warmupS, record, log }) {
  const ours = await startClusterhub(join(dir, 'clusterhub-api'));
  const anchor = await startJupyterHub(join(dir, 'jupyterhub-api'));
  ours.name = 'clusterhub';
  anchor.name = 'jupyterhub';
  try {
    await Promise.all([hubReady(ours), hubReady(anchor)]);
    for (const hub of [ours, anchor]) {
      await prepare(hub);
      hub.activityScript = activityScript(join(dir, hub === ours ? 'clusterhub-api' : 'jupyterhub-api'));
    }
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? [ours, anchor] : [anchor, ours];
      for (const hub of order) {
        const names = Array.from({ length: 1000 }, (_, i) => `r${rep}-u${i}`);
        const sample = await bulkCreate(hub, names);
        log(`  rep ${rep + 1} bulk-create ${hub.name}: ${sample.value.toFixed(3)} s, probe max ${sample.probeMaxMs.toFixed(1)} ms`);
        record('bulk-create', hub === ours ? 'ours' : 'anchor', sample);
      }
      for (const rowIndex of [0, 1, 2, 3]) {
        for (const hub of order) {
          const row = wrkRows(hub)[rowIndex];
          const url = `${hub.apiUrl}${row.path}`;
          const headers = { Authorization: `token ${row.token}` };
          if (!row.script) await call(hub, 'GET', row.path, undefined, row.token); // the request works before it is timed
          if (warmupS > 0) await runWrk(dir, url, { connections: 10, durationS: warmupS, headers, script: row.script });
          const r = await runWrk(dir, url, { connections: 10, durationS, headers, script: row.script });
          log(`  rep ${rep + 1} ${row.id} ${hub.name}: ${r.requestsPerSec.toFixed(0)} req/s, p99 ${r.latencyMs.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`);
          record(row.id, hub === ours ? 'ours' : 'anchor', { value: r.requestsPerSec, p99Ms: r.latencyMs.p99 }, r);
        }
      }
    }
  } finally {
    await Promise.all([ours.stop(), anchor.stop()]);
  }
}
