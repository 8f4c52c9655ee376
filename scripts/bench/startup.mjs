// "Hub start with 10,000 users": from process start until an authenticated
// `GET /hub/api/users?limit=200` answers 200, on a data folder that already holds 10,000 users.
/* global performance */
import { join } from 'node:path';
import { startClusterhub, startJupyterHub, hubReady, seedJupyterHubUsers } from './systems.mjs';
import { bulkCreate } from './api.mjs';

const USERS = 10_000;

async function timedStart(startFn, dir, prepared) {
  const hub = await startFn(dir, { token: prepared.token, ports: prepared.ports });
  try {
    await hubReady(hub, 180_000, '/users?limit=200');
    return (performance.now() - hub.t0) / 1000;
  } finally {
    await hub.stop();
  }
}

/** Seeds both systems (clusterhub through its API, JupyterHub through its ORM), then times `reps` starts of each, alternating. */
export async function startupPhase({ dir, reps, record, log }) {
  const oursDir = join(dir, 'clusterhub-start');
  const anchorDir = join(dir, 'jupyterhub-start');
  const ours = await startClusterhub(oursDir);
  ours.name = 'clusterhub';
  try {
    await hubReady(ours);
    for (let b = 0; b < USERS / 1000; b++) await bulkCreate(ours, Array.from({ length: 1000 }, (_, i) => `u${b * 1000 + i}`));
  } finally {
    await ours.stop();
  }
  const anchor = await startJupyterHub(anchorDir);
  try {
    await hubReady(anchor);
  } finally {
    await anchor.stop();
  }
  await seedJupyterHubUsers(anchorDir, USERS, 'u');
  log(`  seeded ${USERS} users in each`);
  for (let rep = 0; rep < reps; rep++) {
    const order = rep % 2 === 0 ? ['ours', 'anchor'] : ['anchor', 'ours'];
    for (const system of order) {
      const seconds = system === 'ours' ? await timedStart(startClusterhub, oursDir, ours) : await timedStart(startJupyterHub, anchorDir, anchor);
      log(`  rep ${rep + 1} start-10k ${system === 'ours' ? 'clusterhub' : 'jupyterhub'}: ${seconds.toFixed(2)} s`);
      record('start-10k', system, { value: seconds });
    }
  }
}
