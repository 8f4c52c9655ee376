import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { HubConfig } from '@clusterhub/shared';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { startNodeAgent, type NodeAgent } from './harness/k8s/node-agent';
import { acquireGpuLock } from './harness/k8s/gpu-lock';
import { removeClaims } from './harness/k8s/claims';
import { FAKE_GPU_NODES } from './harness/k8s/objects';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { VENV_BIN } from './harness/repo-paths';
import { readProgress } from './harness/progress';
import { BrowserClient } from './harness/http-client';
import { apiCall, navigate, pollUntil, serverModel, waitForReady } from './harness/singleuser';

/**
 * The Kubernetes backend end to end: a hub whose servers are pods in the real test cluster (real
 * kube-apiserver and kube-scheduler, fake GPU nodes), played by the project's test node agent,
 * which runs the pod's command — the venv's real `jupyterhub-singleuser` — as a local process on
 * its own loopback address. The hub talks to the cluster as its restricted identity.
 */
const RUN = randomBytes(3).toString('hex');
const SUITE = 'clusterhub.test/suite';
const RUN_LABEL = 'clusterhub.test/run';
const POD_UID = 1000;
const PASSWORD = 'alice-password-1';

let cluster: K8sTestCluster;
let adminCore: CoreV1Api;
let agent: NodeAgent;
let t: TestHub;
let alice = '';
let bob = '';
let carol = '';
let dora = '';
let releaseGpus: () => void = () => undefined;

const config = (): HubConfig => ({
  backends: {
    k8s: {
      kind: 'kubernetes',
      kubernetes: {
        kubeconfigFile: cluster.info.hubKubeconfig,
        namespace: cluster.namespace,
        image: 'clusterhub.test/singleuser:run-by-the-node-agent',
        cmd: [`${VENV_BIN}/jupyterhub-singleuser`],
        uid: POD_UID,
        gid: POD_UID,
        fsGroup: POD_UID,
        storage: { size: '1Gi' },
        scratch: { sizeLimit: '1Gi' },
        extraLabels: { [SUITE]: 'k8s-backend', [RUN_LABEL]: RUN },
      },
    },
  },
  profiles: [
    { slug: 'cpu', displayName: 'CPU here', kind: 'cpu' },
    {
      slug: 'gpu-1',
      displayName: 'One A100',
      kind: 'gpu',
      backend: 'k8s',
      default: true,
      resources: { gpus: { count: 1 }, cpu: { guarantee: 0.5, limit: 2 }, memory: { guarantee: '1Gi', limit: '2Gi' } },
      kubernetes: { tolerations: [{ key: 'clusterhub.test/maintenance', operator: 'Exists', effect: 'NoSchedule' }] },
    },
    { slug: 'gpu-2', displayName: 'Two A100s', kind: 'gpu', backend: 'k8s', resources: { gpus: { count: 2 }, cpu: { guarantee: 0.5 }, memory: { guarantee: '1Gi' } } },
  ],
});

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  // This file fills both full-GPU nodes: no other file's GPU pods meanwhile.
  releaseGpus = await acquireGpuLock(cluster.info.runDir);
  const k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  // Pods an earlier run left behind would hold GPUs of the shared fake nodes.
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-backend`, gracePeriodSeconds: 0 });
  await removeClaims(cluster.admin, cluster.namespace, `${SUITE}=k8s-backend`);
  const labelSelector = `${SUITE}=k8s-backend,${RUN_LABEL}=${RUN}`;
  agent = await startNodeAgent({ kubeConfig: cluster.admin, namespace: cluster.namespace, nodes: FAKE_GPU_NODES.map((n) => n.name), labelSelector });
  t = await startTestHub({ config: config() });
  alice = await t.addUser('alice', { password: PASSWORD });
  bob = await t.addUser('bob');
  carol = await t.addUser('carol');
  dora = await t.addUser('dora');
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await t?.stop();
  await agent?.stop();
  if (adminCore) {
    await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-backend,${RUN_LABEL}=${RUN}`, gracePeriodSeconds: 0 });
    await removeClaims(cluster.admin, cluster.namespace, `${SUITE}=k8s-backend,${RUN_LABEL}=${RUN}`);
  }
  releaseGpus();
});

function podOf(model: { state?: Record<string, unknown> | null } | undefined): string {
  const name = model?.state?.['pod'];
  if (typeof name !== 'string') throw new Error(`no pod in ${JSON.stringify(model?.state)}`);
  return name;
}

async function readPod(name: string): Promise<V1Pod | null> {
  try {
    return await adminCore.readNamespacedPod({ namespace: cluster.namespace, name });
  } catch {
    return null;
  }
}

test("alice's server runs as a pod the real scheduler placed on a full-GPU node; a browser logs in to JupyterLab in it through the proxy; stop deletes the pod, the claim stays", async () => {
  const res = await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'gpu-1' } });
  expect([201, 202]).toContain(res.status);
  const model = await waitForReady(t, 'alice');
  const name = podOf(model);
  const pod = await readPod(name);
  expect(pod?.status?.phase).toBe('Running');
  expect(['gpu-full-0', 'gpu-full-1']).toContain(pod?.spec?.nodeName);
  expect(pod?.status?.podIP).toBe(agent.ipOf(name));
  expect(pod?.metadata?.labels).toMatchObject({ component: 'singleuser-server', 'hub.jupyter.org/username': 'alice', 'clusterhub.io/profile': 'gpu-1' });
  const container = pod?.spec?.containers[0];
  expect(container?.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '2', memory: '2Gi', 'nvidia.com/gpu': '1' } });
  expect(container?.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(pod?.spec?.securityContext).toMatchObject({ runAsUser: POD_UID, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod?.spec?.runtimeClassName).toBe('nvidia');
  expect(pod?.spec?.tolerations).toEqual(expect.arrayContaining([{ key: 'clusterhub.test/maintenance', operator: 'Exists', effect: 'NoSchedule' }]));
  expect(pod?.spec?.automountServiceAccountToken).toBe(false);
  expect(pod?.spec?.volumes).toEqual(
    expect.arrayContaining([
      { name: 'home', persistentVolumeClaim: { claimName: 'claim-alice' } },
      { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
    ]),
  );
  // The process the agent runs for the pod is the real server, as the pod's uid.
  const status = readFileSync(`/proc/${String(agent.pidOf(name))}/status`, 'utf8');
  // (The agent can only switch users as root; otherwise the process is the test's own.)
  expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(String(process.getuid?.() === 0 ? POD_UID : process.getuid?.()));
  const api = await fetch(`${t.publicUrl}/user/alice/api`);
  expect(api.status).toBe(200);
  expect(((await api.json()) as { version?: string }).version).toMatch(/^\d/);
  // A browser logs in to the hub and opens JupyterLab in the pod (OAuth through the hub).
  const client = new BrowserClient();
  expect((await client.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
  const lab = await navigate(client, `${t.publicUrl}/user/alice/lab`);
  expect(lab.status).toBe(200);
  expect(lab.text).toContain('jupyter-config-data');
  expect((await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'DELETE' })).status).toBeLessThan(300);
  await pollUntil('the server to stop', async () => ((await serverModel(t, 'alice')) ? undefined : true), 60_000);
  await pollUntil('the pod to be gone', async () => ((await readPod(name)) ? undefined : true), 30_000);
  expect(agent.pidOf(name)).toBeUndefined();
  // The user's claim stays for the next server.
  const claim = await adminCore.readNamespacedPersistentVolumeClaim({ namespace: cluster.namespace, name: 'claim-alice' });
  expect(claim.metadata?.labels).toMatchObject({ component: 'singleuser-storage', 'hub.jupyter.org/username': 'alice' });
  expect(claim.spec?.resources?.requests).toEqual({ storage: '1Gi' });
});

test('a restarted hub re-adopts the running pod by its handle and routes to it again', async () => {
  await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'gpu-1' } });
  const before = await waitForReady(t, 'alice');
  const name = podOf(before);
  const uid = (await readPod(name))?.metadata?.uid;
  const dataDir = t.dataDir;
  await t.stop({ keepData: true });
  t = await startTestHub({ config: config(), dataDir });
  const after = await pollUntil('the server to be ready again', async () => {
    const m = await serverModel(t, 'alice');
    return m?.ready ? m : undefined;
  }, 30_000);
  expect(podOf(after)).toBe(name);
  expect((await readPod(name))?.metadata?.uid).toBe(uid);
  expect((await fetch(`${t.publicUrl}/user/alice/api`)).status).toBe(200);
  await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'DELETE' });
  await pollUntil('the pod to be gone', async () => ((await readPod(name)) ? undefined : true), 60_000);
});

/** `profiles[].capacity` of a profile as alice sees it, once it equals `expected` (the watches catch up). */
async function capacityBecomes(slug: string, expected: Record<string, unknown>): Promise<void> {
  await pollUntil(`the capacity of ${slug} to be ${JSON.stringify(expected)}`, async () => {
    const profiles = (await apiCall(`${t.apiUrl}/clusterhub/profiles`, alice)).body as { slug: string; capacity?: Record<string, unknown> }[];
    const capacity = profiles.find((p) => p.slug === slug)?.capacity;
    if (!capacity || Object.entries(expected).some(([k, v]) => capacity[k] !== v)) throw new Error(`capacity now ${JSON.stringify(capacity)}`);
    return capacity;
  }, 30_000);
}

test('a GPU server that cannot fit waits, and the progress stream says why in plain words and its place in line; both waiting start once GPUs free up', async () => {
  // What is free, from node allocatable minus the requests of bound pods: all four GPUs, two servers of two.
  await capacityBecomes('gpu-1', { backend: 'k8s', resource: 'nvidia.com/gpu', perServer: 1, free: 4, fits: 4, waiting: 0 });
  await capacityBecomes('gpu-2', { perServer: 2, free: 4, fits: 2 });
  // bob and carol take both GPUs of each full-GPU node.
  for (const [user, token] of [
    ['bob', bob],
    ['carol', carol],
  ] as const) {
    await apiCall(`${t.apiUrl}/users/${user}/server`, token, { method: 'POST', body: { profile: 'gpu-2' } });
    await waitForReady(t, user);
  }
  await apiCall(`${t.apiUrl}/users/alice/server`, alice, { method: 'POST', body: { profile: 'gpu-1' } });
  const { events } = await readProgress(`${t.apiUrl}/users/alice/server/progress`, alice, (s) => s.events.some((e) => /^Waiting for 1 full GPU/.test(e.message)), 60_000);
  const waiting = events.find((e) => /^Waiting for 1 full GPU/.test(e.message));
  expect(waiting?.message).toBe(
    'Waiting for 1 full GPU: none of the 2 nodes that may run this server has it free (1 other node is not meant for this server). It starts when another server stops. You are first in line for these GPUs.',
  );
  // dora asks for the same GPU after alice: she is told her place in line.
  await apiCall(`${t.apiUrl}/users/dora/server`, dora, { method: 'POST', body: { profile: 'gpu-1' } });
  const second = await readProgress(`${t.apiUrl}/users/dora/server/progress`, dora, (s) => s.events.some((e) => /^Waiting for 1 full GPU/.test(e.message)), 60_000);
  expect(second.events.find((e) => /^Waiting for 1 full GPU/.test(e.message))?.message).toMatch(/ 1 person is waiting for the same GPUs before you\.$/);
  await capacityBecomes('gpu-1', { free: 0, fits: 0, waiting: 2 });
  // The home page says it beside the profile's name.
  const browser = new BrowserClient();
  expect((await browser.login(t.publicUrl, 'alice', PASSWORD)).status).toBe(200);
  expect((await navigate(browser, `${t.publicUrl}/hub/home`)).text).toContain('none free now, 2 waiting');
  const pending = await serverModel(t, 'alice');
  expect(pending?.ready).toBe(false);
  expect((await readPod(podOf(pending)))?.spec?.nodeName).toBeUndefined();
  await apiCall(`${t.apiUrl}/users/bob/server`, bob, { method: 'DELETE' });
  // bob's two GPUs are enough for both.
  for (const user of ['alice', 'dora']) {
    const model = await waitForReady(t, user);
    expect(['gpu-full-0', 'gpu-full-1']).toContain((await readPod(podOf(model)))?.spec?.nodeName);
  }
  for (const [user, token] of [
    ['alice', alice],
    ['carol', carol],
    ['dora', dora],
  ] as const) {
    await apiCall(`${t.apiUrl}/users/${user}/server`, token, { method: 'DELETE' });
  }
  await pollUntil('the servers to stop', async () => {
    for (const user of ['alice', 'carol', 'dora']) if (await serverModel(t, user)) return undefined;
    return true;
  }, 60_000);
  await capacityBecomes('gpu-1', { free: 4, fits: 4, waiting: 0 });
});
