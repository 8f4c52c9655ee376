import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { HubConfig } from '@clusterhub/shared';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { startNodeAgent, type NodeAgent } from './harness/k8s/node-agent';
import { FAKE_GPU_NODES } from './harness/k8s/objects';
import { Relay, writeRelayKubeconfig } from './harness/k8s/relay';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { VENV_BIN } from './harness/repo-paths';
import { apiCall, navigate, pollUntil, serverModel, waitForReady } from './harness/singleuser';

/**
 * The API server away for a full minute under a running hub (its Kubernetes backend reaches the
 * real test API server through a relay the test cuts): the server is never marked stopped, its
 * status says unknown, JupyterLab stays reachable through the proxy; once the API server is back
 * the watch resumes and sees what changed meanwhile (the pod deleted by an admin), and the hub
 * stops the server. Timing is the scenario's, never asserted.
 */
const RUN = randomBytes(3).toString('hex');
const SUITE = 'clusterhub.test/suite';
const RUN_LABEL = 'clusterhub.test/run';
const PASSWORD = 'alice-password-1';
const OUTAGE_MS = 60_000;

let cluster: K8sTestCluster;
let adminCore: CoreV1Api;
let agent: NodeAgent;
let relay: Relay;
let t: TestHub;
let alice = '';
let dir = '';

const config = (kubeconfigFile: string): HubConfig => ({
  backends: {
    k8s: {
      kind: 'kubernetes',
      kubernetes: {
        kubeconfigFile,
        namespace: cluster.namespace,
        image: 'clusterhub.test/singleuser:run-by-the-node-agent',
        cmd: [`${VENV_BIN}/jupyterhub-singleuser`],
        uid: 1000,
        gid: 1000,
        fsGroup: 1000,
        extraLabels: { [SUITE]: 'k8s-outage', [RUN_LABEL]: RUN },
      },
    },
  },
  profiles: [{ slug: 'mig-1g', displayName: 'MIG 1g.5gb', kind: 'mig', backend: 'k8s', default: true, resources: { mig: { profile: '1g.5gb' }, cpu: { guarantee: 0.1 }, memory: { guarantee: '256Mi' } } }],
});

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  const k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-outage`, gracePeriodSeconds: 0 });
  const api = new URL(cluster.info.apiUrl);
  relay = new Relay(api.hostname, Number(api.port));
  await relay.open();
  dir = mkdtempSync(path.join(tmpdir(), 'clusterhub-k8s-outage-'));
  const kubeconfig = path.join(dir, 'hub.kubeconfig');
  await writeRelayKubeconfig(cluster.hub, relay.port, kubeconfig);
  agent = await startNodeAgent({ kubeConfig: cluster.admin, namespace: cluster.namespace, nodes: FAKE_GPU_NODES.map((n) => n.name), labelSelector: `${SUITE}=k8s-outage,${RUN_LABEL}=${RUN}` });
  t = await startTestHub({ config: config(kubeconfig) });
  alice = await t.addUser('alice', { password: PASSWORD });
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await relay?.open().catch(() => undefined);
  await t?.stop();
  await agent?.stop();
  if (adminCore) await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-outage,${RUN_LABEL}=${RUN}`, gracePeriodSeconds: 0 });
  await relay?.cut();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a minute without the API server: never stopped, status unknown, JupyterLab still served; then the watch resumes and sees the pod deleted meanwhile', async () => {
  expect([201, 202]).toContain((await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: {} })).status);
  const started = await waitForReady(t, 'alice');
  const pod = String(started.state?.['pod'] ?? '');
  expect(pod).toBe('jupyter-alice');
  const browser = new BrowserClient();
  expect((await browser.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);

  await relay.cut();
  const until = Date.now() + OUTAGE_MS;
  let polls = 0;
  while (Date.now() < until) {
    await t.hub.context.lifecycle.pollAll();
    polls += 1;
    const model = await serverModel(t, 'alice');
    expect(model?.ready).toBe(true);
    if (polls > 1) expect(model?.message ?? '').toMatch(/^Status unknown/);
    expect((await navigate(browser, `${t.publicUrl}/user/alice/lab`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  expect(polls).toBeGreaterThan(5);
  // Meanwhile an admin deletes the pod (straight at the API server; the node agent finishes it).
  await adminCore.deleteNamespacedPod({ namespace: cluster.namespace, name: pod });
  await pollUntil('the pod to be gone', async () => adminCore.readNamespacedPod({ namespace: cluster.namespace, name: pod }).then(() => undefined, () => true), 30_000);
  await t.hub.context.lifecycle.pollAll();
  expect((await serverModel(t, 'alice'))?.ready).toBe(true);

  await relay.open();
  await pollUntil(
    'the hub to see the pod gone once its watch resumed',
    async () => {
      await t.hub.context.lifecycle.pollAll();
      return (await serverModel(t, 'alice')) ? undefined : true;
    },
    60_000,
    1000,
  );
});
