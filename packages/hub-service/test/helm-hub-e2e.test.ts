import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { kubeConfigFor } from '../src/spawners/kubernetes/create';
import { ensureHelm, helmTemplate, manifest, valuesFile, type Manifest } from './harness/helm';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { applyChartRbac, captureLog, explainPod, inClusterEnv, outsideThePod, serviceAccountFiles, type CapturedLog, type ServiceAccountFiles } from './harness/k8s/chart-hub';
import { removeClaims } from './harness/k8s/claims';
import { acquireGpuLock } from './harness/k8s/gpu-lock';
import { startNodeAgent, type NodeAgent } from './harness/k8s/node-agent';
import { FAKE_GPU_NODES, FAKE_NODE_LABEL, httpStatus } from './harness/k8s/objects';
import { startTestHub, type TestHub } from './harness/hub-harness';
import { BrowserClient } from './harness/http-client';
import { VENV_BIN } from './harness/repo-paths';
import type { ServerModel } from '@clusterhub/shared';
import { apiCall, navigate, pollUntil, serverModel, waitForReady } from './harness/singleuser';

/**
 * The whole hub under the chart's RBAC, end to end (docs/kubernetes.md, Tests): `helm template`
 * with test values (user pods in the test cluster's namespace, a CPU and a GPU profile, local
 * accounts); the rendered ServiceAccount, Role, RoleBinding, ClusterRole and ClusterRoleBinding
 * applied to the real test API server; what a pod of that ServiceAccount sees (a TokenRequest
 * token, the CA, KUBERNETES_SERVICE_HOST/PORT) given to a hub started from the config Secret's
 * `config.yaml` as rendered, with only the listen addresses, data folder, connect URL and the two
 * ServiceAccount file paths changed. Through that hub: logins, servers started through the API as
 * pods with bound claims (the node agent runs the real jupyterhub-singleuser), JupyterLab through
 * the hub's proxy, capacity in the profiles API (nodes read through the ClusterRole), stops; the
 * API server never refused the hub anything (no 403 in its log), and the same token is refused
 * what the chart does not grant.
 */
const RUN = randomBytes(3).toString('hex');
const SUITE = 'clusterhub.test/suite';
const RUN_LABEL = 'clusterhub.test/run';
const RELEASE = 'helme2e';
/** The release's namespace (its ServiceAccount). */
const RELEASE_NS = 'clusterhub-helm-e2e';
const POD_UID = 1000;
const ADA = `ada-${RUN}`;
const BEN = `ben-${RUN}`;
const PASSWORD = 'ada-password-1';

let cluster: K8sTestCluster;
let adminCore: CoreV1Api;
let agent: NodeAgent;
let rendered: Manifest[];
let sa: ServiceAccountFiles;
let log: CapturedLog;
let t: TestHub;
let changed: readonly string[] = [];
let applied: string[] = [];
let adaToken = '';
let benToken = '';
let releaseGpus: () => void = () => undefined;
const envBefore = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };

/** The test values: the chart's default backend `kubernetes` pointed at the test cluster's namespace. */
const values = (extra: Record<string, unknown> = {}): unknown => ({
  ...extra,
  hub: {
    config: {
      auth: { kind: 'local' },
      backends: {
        kubernetes: {
          kind: 'kubernetes',
          kubernetes: {
            namespace: cluster.namespace,
            image: 'clusterhub.test/singleuser:run-by-the-node-agent',
            cmd: [`${VENV_BIN}/jupyterhub-singleuser`],
            uid: POD_UID,
            gid: POD_UID,
            fsGroup: POD_UID,
            storage: { size: '1Gi' },
            extraLabels: { [SUITE]: 'helm-hub-e2e', [RUN_LABEL]: RUN },
          },
        },
      },
      profiles: [
        // Only on the fake nodes this file's node agent plays (other nodes may exist, e.g. the benchmark's).
        { slug: 'cpu', displayName: 'CPU', kind: 'cpu', backend: 'kubernetes', default: true, resources: { cpu: { guarantee: 0.1, limit: 1 }, memory: { guarantee: '256Mi', limit: '1Gi' } }, kubernetes: { nodeSelector: { [FAKE_NODE_LABEL]: 'true' } } },
        { slug: 'a100', displayName: 'One A100', kind: 'gpu', backend: 'kubernetes', resources: { gpus: { count: 1 }, cpu: { guarantee: 0.1, limit: 1 }, memory: { guarantee: '256Mi', limit: '1Gi' } } },
      ],
    },
  },
});

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  await ensureHelm();
  // This file counts the free full GPUs: no other file's GPU pods meanwhile.
  releaseGpus = await acquireGpuLock(cluster.info.runDir);
  const k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  try {
    await adminCore.createNamespace({ body: { metadata: { name: RELEASE_NS } } });
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=helm-hub-e2e`, gracePeriodSeconds: 0 });
  await removeClaims(cluster.admin, cluster.namespace, `${SUITE}=helm-hub-e2e`);

  rendered = await helmTemplate(RELEASE, RELEASE_NS, [valuesFile(values())]);
  applied = await applyChartRbac(cluster.admin, rendered);
  sa = await serviceAccountFiles(cluster.admin, { namespace: RELEASE_NS, name: `${RELEASE}-clusterhub-hub` }, cluster.info.caFile);
  const secret = manifest(rendered, 'Secret', `${RELEASE}-clusterhub-config`) as Manifest & { stringData: Record<string, string> };
  const outside = outsideThePod(secret.stringData['config.yaml'] ?? '', sa);
  changed = outside.changed;

  agent = await startNodeAgent({ kubeConfig: cluster.admin, namespace: cluster.namespace, nodes: FAKE_GPU_NODES.map((n) => n.name), labelSelector: `${SUITE}=helm-hub-e2e,${RUN_LABEL}=${RUN}` });
  // The hub reads these at config load as a pod's container would (jest gives each file its own process.env).
  Object.assign(process.env, inClusterEnv(cluster.info.apiUrl));
  log = captureLog();
  t = await startTestHub({ config: outside.config, overrides: { logger: log.logger } });
  adaToken = await t.addUser(ADA, { password: PASSWORD });
  benToken = await t.addUser(BEN);
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await t?.stop();
  await agent?.stop();
  if (adminCore) {
    await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=helm-hub-e2e,${RUN_LABEL}=${RUN}`, gracePeriodSeconds: 0 });
    await removeClaims(cluster.admin, cluster.namespace, `${SUITE}=helm-hub-e2e,${RUN_LABEL}=${RUN}`);
  }
  releaseGpus();
  if (sa) rmSync(sa.dir, { recursive: true, force: true });
  for (const [key, value] of [
    ['KUBERNETES_SERVICE_HOST', envBefore.host],
    ['KUBERNETES_SERVICE_PORT', envBefore.port],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function readPod(name: string): Promise<V1Pod | null> {
  try {
    return await adminCore.readNamespacedPod({ namespace: cluster.namespace, name });
  } catch {
    return null;
  }
}

/** {@link waitForReady}, failing with what the API server says about the pod and its claim. */
async function readyOrExplain(user: string): Promise<ServerModel> {
  try {
    return await waitForReady(t, user);
  } catch (err) {
    const why = await explainPod(cluster.admin, cluster.namespace, `jupyter-${user}`, `claim-${user}`);
    const logFile = agent.logOf(`jupyter-${user}`);
    const tail = logFile ? readFileSync(logFile, 'utf8').slice(-3000) : 'no process';
    throw new Error(`${String(err)}; the API server: ${why}; the pod's process log: ${tail}`);
  }
}

function podOf(model: { state?: Record<string, unknown> | null } | undefined): string {
  const name = model?.state?.['pod'];
  if (typeof name !== 'string') throw new Error(`no pod in ${JSON.stringify(model?.state)}`);
  return name;
}

/** `capacity` of the a100 profile in the profiles API, once it has `free` GPUs (the watches catch up). */
async function a100Capacity(free: number): Promise<Record<string, unknown>> {
  return pollUntil(`${String(free)} free A100s in the profiles API`, async () => {
    const res = await apiCall(`${t.apiUrl}/clusterhub/profiles`, adaToken);
    const capacity = (res.body as { slug: string; capacity?: Record<string, unknown> }[]).find((p) => p.slug === 'a100')?.capacity;
    if (capacity?.['free'] !== free) throw new Error(`capacity now ${JSON.stringify(capacity)}`);
    return capacity;
  }, 30_000);
}

test("the hub runs on the chart's own rendering: its RBAC objects, and the rendered config with only the outside-a-pod keys changed, reaching the API server by the in-cluster address", () => {
  expect(applied.sort()).toEqual(
    [
      `ClusterRole/${RELEASE}-clusterhub-read-nodes`,
      `ClusterRoleBinding/${RELEASE}-clusterhub-read-nodes`,
      `Role/${RELEASE}-clusterhub-hub`,
      `RoleBinding/${RELEASE}-clusterhub-hub`,
      `ServiceAccount/${RELEASE}-clusterhub-hub`,
    ].sort(),
  );
  expect([...changed].sort()).toEqual(['backends.kubernetes.kubernetes.caFile', 'backends.kubernetes.kubernetes.tokenFile', 'hub.connectUrl', 'hub.dataDir', 'hub.internal', 'hub.public']);
  const backend = t.hub.context.config.backends['kubernetes']?.kubernetes;
  expect(backend?.connection).toEqual({ kind: 'token', server: cluster.info.apiUrl, caFile: sa.caFile, tokenFile: sa.tokenFile, token: null });
});

test('log in, start a GPU server through the API: a pod of the chart-named backend in the user namespace with its claim bound, JupyterLab through the hub proxy; capacity in the profiles API drops by one; stop deletes the pod, the claim stays', async () => {
  const before = await a100Capacity(4);
  expect(before).toMatchObject({ backend: 'kubernetes', resource: 'nvidia.com/gpu', perServer: 1, fits: 4, waiting: 0 });
  const browser = new BrowserClient();
  expect((await browser.login(t.publicUrl, ADA, PASSWORD)).status).toBe(200);
  expect([201, 202]).toContain((await apiCall(`${t.apiUrl}/users/${ADA}/server`, adaToken, { method: 'POST', body: { profile: 'a100' } })).status);
  const model = await readyOrExplain(ADA);
  const name = podOf(model);
  expect(name).toBe(`jupyter-${ADA}`);
  const pod = await readPod(name);
  expect(pod?.metadata?.namespace).toBe(cluster.namespace);
  expect(pod?.status?.phase).toBe('Running');
  expect(['gpu-full-0', 'gpu-full-1']).toContain(pod?.spec?.nodeName);
  expect(pod?.spec?.containers[0]?.resources?.limits).toMatchObject({ 'nvidia.com/gpu': '1' });
  expect(pod?.metadata?.labels).toMatchObject({ component: 'singleuser-server', 'hub.jupyter.org/username': ADA, [RUN_LABEL]: RUN });
  expect(pod?.spec?.volumes).toEqual(expect.arrayContaining([{ name: 'home', persistentVolumeClaim: { claimName: `claim-${ADA}` } }]));
  const claim = await adminCore.readNamespacedPersistentVolumeClaim({ namespace: cluster.namespace, name: `claim-${ADA}` });
  expect(claim.status?.phase).toBe('Bound');
  const lab = await navigate(browser, `${t.publicUrl}/user/${ADA}/lab`);
  expect(lab.status).toBe(200);
  expect(lab.text).toContain('jupyter-config-data');
  expect(await a100Capacity(3)).toMatchObject({ fits: 3 });

  expect((await apiCall(`${t.apiUrl}/users/${ADA}/server`, adaToken, { method: 'DELETE' })).status).toBeLessThan(300);
  await pollUntil('the server to stop', async () => ((await serverModel(t, ADA)) ? undefined : true), 60_000);
  await pollUntil('the pod to be gone', async () => ((await readPod(name)) ? undefined : true), 30_000);
  expect((await adminCore.readNamespacedPersistentVolumeClaim({ namespace: cluster.namespace, name: `claim-${ADA}` })).metadata?.name).toBe(`claim-${ADA}`);
  await a100Capacity(4);
});

test('a CPU server (the default profile) starts as a pod without GPUs, answers through the proxy, and stops', async () => {
  expect([201, 202]).toContain((await apiCall(`${t.apiUrl}/users/${BEN}/server`, benToken, { method: 'POST', body: {} })).status);
  const name = podOf(await readyOrExplain(BEN));
  const pod = await readPod(name);
  expect(pod?.metadata?.labels).toMatchObject({ 'clusterhub.io/profile': 'cpu' });
  expect(FAKE_GPU_NODES.map((n) => n.name)).toContain(pod?.spec?.nodeName);
  expect(Object.keys(pod?.spec?.containers[0]?.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
  expect((await fetch(`${t.publicUrl}/user/${BEN}/api`)).status).toBe(200);
  await apiCall(`${t.apiUrl}/users/${BEN}/server`, benToken, { method: 'DELETE' });
  await pollUntil('the pod to be gone', async () => ((await readPod(name)) ? undefined : true), 60_000);
});

test("nothing the hub did needed more than the chart grants: no refusal in the hub's log; the same token is refused what the chart does not grant", async () => {
  expect(log.lines.some((l) => l.includes('clusterhub started'))).toBe(true);
  expect(log.refusals()).toEqual([]);
  const k8s = await import('@kubernetes/client-node');
  const core = (await kubeConfigFor({ kind: 'token', server: cluster.info.apiUrl, caFile: sa.caFile, tokenFile: sa.tokenFile, token: null })).makeApiClient(k8s.CoreV1Api);
  const statusOf = (call: Promise<unknown>): Promise<number | undefined> => call.then(() => 200, httpStatus);
  expect(await statusOf(core.listNamespacedSecret({ namespace: 'kube-system' }))).toBe(403);
  // (Pods may be read everywhere: rbac.readAllPods, for capacity; not changed outside the pods namespace.)
  expect(await statusOf(core.deleteNamespacedPod({ namespace: 'kube-system', name: 'x', dryRun: 'All' }))).toBe(403);
  expect(await statusOf(core.createNamespacedPod({ namespace: RELEASE_NS, body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } }, dryRun: 'All' }))).toBe(403);
  // ... while what it was given works with the same token.
  expect(await statusOf(core.listNode())).toBe(200);
  expect(await statusOf(core.listPodForAllNamespaces({ limit: 1 }))).toBe(200);
  expect(readFileSync(sa.tokenFile, 'utf8')).toBe(sa.token);
});

test("the log check sees a refusal when there is one: with rbac.readNodes false the chart grants no node read, the hub's capacity watch is refused (403 in its log) and the profiles API says so", async () => {
  const release = `${RELEASE}-nonodes`;
  const noNodes = await helmTemplate(release, RELEASE_NS, [valuesFile(values({ rbac: { readNodes: false } }))]);
  expect((await applyChartRbac(cluster.admin, noNodes)).filter((a) => a.startsWith('Cluster'))).toEqual([]);
  const files = await serviceAccountFiles(cluster.admin, { namespace: RELEASE_NS, name: `${release}-clusterhub-hub` }, cluster.info.caFile);
  const secret = manifest(noNodes, 'Secret', `${release}-clusterhub-config`) as Manifest & { stringData: Record<string, string> };
  const refusedLog = captureLog();
  const other = await startTestHub({ config: outsideThePod(secret.stringData['config.yaml'] ?? '', files).config, overrides: { logger: refusedLog.logger } });
  try {
    const token = await other.addUser(ADA);
    const capacity = await pollUntil('the capacity watch to be refused', async () => {
      const res = await apiCall(`${other.apiUrl}/clusterhub/profiles`, token);
      const found = (res.body as { slug: string; capacity?: { free: number | null; reason?: string } }[]).find((p) => p.slug === 'a100')?.capacity;
      return found?.reason ? found : undefined;
    }, 30_000);
    expect(capacity.free).toBeNull();
    expect(capacity.reason).toMatch(/nodes is forbidden/);
    expect(refusedLog.refusals().length).toBeGreaterThan(0);
  } finally {
    await other.stop();
    rmSync(files.dir, { recursive: true, force: true });
  }
});
