import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ProfileConfig } from '@clusterhub/shared';
import type { CapacityPods } from '../src/config/kubernetes-backend';
import { ClusterWatch } from '../src/spawners/kubernetes/cluster-watch';
import { KubernetesSpawner } from '../src/spawners/kubernetes/kubernetes-spawner';
import type { BackendCapacity } from '../src/spawners/spawner';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { acquireGpuLock } from './harness/k8s/gpu-lock';
import { httpStatus } from './harness/k8s/objects';
import { pollUntil } from './harness/singleuser';

/**
 * Capacity with `kubernetes.capacityPods` on the real test API server (docs/kubernetes.md,
 * "Capacity"): a pod of ANOTHER namespace, created as the admin and bound to a fake full-GPU node
 * with one `nvidia.com/gpu`, lowers what is free with `cluster` (an identity that may read pods in
 * every namespace, as the chart's ClusterRole grants with rbac.readAllPods) and not with
 * `namespace`; the harness's restricted hub identity (pods of its own namespace only) gets a
 * capacity reason naming the missing right with `cluster`, and its servers' watch still works.
 * Counts are exact: the file holds the harness's GPU lock.
 */
const OTHER_NS = 'clusterhub-capacity-other';
const READER = 'capacity-reader';
const READER_ROLE = 'clusterhub-test-capacity-reader';
const HOLDER = 'batch-job-holding-a-gpu';

const GPU_1: ProfileConfig = { slug: 'gpu-1', displayName: 'One A100', kind: 'gpu', resources: { gpus: { count: 1 }, cpu: { guarantee: 0.1 }, memory: { guarantee: '64Mi' } } };

let cluster: K8sTestCluster;
let adminCore: CoreV1Api;
/** An identity that reads nodes and pods in every namespace, and nothing else. */
let reader: KubeConfig;
let releaseGpus: () => void = () => undefined;
const spawners: KubernetesSpawner[] = [];

/** Awaits a create call; 409 (it exists) counts as success. */
async function keepExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
}

async function removeHolder(): Promise<void> {
  try {
    await adminCore.deleteNamespacedPod({ namespace: OTHER_NS, name: HOLDER, gracePeriodSeconds: 0 });
  } catch (err) {
    if (httpStatus(err) !== 404) throw err;
  }
  await pollUntil('the GPU-holding pod to be gone', async () => {
    try {
      await adminCore.readNamespacedPod({ namespace: OTHER_NS, name: HOLDER });
      return undefined;
    } catch (err) {
      if (httpStatus(err) === 404) return true;
      throw err;
    }
  }, 30_000);
}

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  releaseGpus = await acquireGpuLock(cluster.info.runDir);
  const k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  const rbac = cluster.admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  await keepExisting(adminCore.createNamespace({ body: { metadata: { name: OTHER_NS } } }));
  // No controller-manager makes a namespace's `default` ServiceAccount here; pods need it.
  await keepExisting(adminCore.createNamespacedServiceAccount({ namespace: OTHER_NS, body: { metadata: { name: 'default' } } }));
  await keepExisting(adminCore.createNamespacedServiceAccount({ namespace: OTHER_NS, body: { metadata: { name: READER } } }));
  await keepExisting(
    rbac.createClusterRole({
      body: {
        metadata: { name: READER_ROLE },
        rules: [
          { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        ],
      },
    }),
  );
  await keepExisting(
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name: READER_ROLE },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_ROLE },
        subjects: [{ kind: 'ServiceAccount', name: READER, namespace: OTHER_NS }],
      },
    }),
  );
  const token = await adminCore.createNamespacedServiceAccountToken({ name: READER, namespace: OTHER_NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  reader = new k8s.KubeConfig();
  reader.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.info.apiUrl, caFile: cluster.info.caFile, skipTLSVerify: false }],
    users: [{ name: READER, token: token.status?.token ?? '' }],
    contexts: [{ name: READER, cluster: 'test', user: READER }],
    currentContext: READER,
  });
  // A pod an earlier run left behind would hold a GPU.
  await removeHolder();
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(spawners.map((s) => s.close()));
  if (adminCore) await removeHolder();
  releaseGpus();
});

function spawnerAs(kubeConfig: KubeConfig, capacityPods: CapacityPods): KubernetesSpawner {
  const spawner = new KubernetesSpawner({
    kubeConfig: () => Promise.resolve(kubeConfig),
    pod: { namespace: cluster.namespace, defaultImage: 'clusterhub.test/none', uid: 1000, gid: 1000, fsGroup: 1000, storage: null, scratch: null, extraLabels: { 'clusterhub.test/suite': 'k8s-capacity-namespaces' } },
    command: ['sleep', '600'],
    capacityPods,
  });
  spawners.push(spawner);
  return spawner;
}

/** The spawner's capacity for one full GPU once `free` is `expected` (the watches catch up). */
async function freeBecomes(spawner: KubernetesSpawner, expected: number): Promise<BackendCapacity> {
  return pollUntil(`free full GPUs to be ${expected}`, async () => {
    const capacity = await spawner.capacity(GPU_1);
    if (capacity?.free !== expected) throw new Error(`capacity now ${JSON.stringify(capacity)}`);
    return capacity;
  }, 30_000);
}

test("a pod of another namespace bound to a GPU node lowers what is free with capacityPods: cluster, not with namespace; once it is gone the GPU is free again", async () => {
  const everywhere = spawnerAs(reader, 'cluster');
  const ownNamespace = spawnerAs(cluster.hub, 'namespace');
  // Two full-GPU nodes with two GPUs each; the GPU lock keeps other test files' GPU pods away.
  await freeBecomes(everywhere, 4);
  await freeBecomes(ownNamespace, 4);
  // A batch job of another team: bound straight to gpu-full-0 (no scheduler), holding one GPU.
  await adminCore.createNamespacedPod({
    namespace: OTHER_NS,
    body: {
      metadata: { name: HOLDER, labels: { app: 'batch' } },
      spec: {
        nodeName: 'gpu-full-0',
        automountServiceAccountToken: false,
        containers: [{ name: 'train', image: 'clusterhub.test/none', resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } }],
      },
    },
  });
  expect(await freeBecomes(everywhere, 3)).toMatchObject({ resource: 'nvidia.com/gpu', perServer: 1, free: 3, fits: 3, waiting: 0 });
  expect((await ownNamespace.capacity(GPU_1))?.free).toBe(4);
  await removeHolder();
  await freeBecomes(everywhere, 4);
});

test("an identity that may not read pods in every namespace gets, with capacityPods: cluster, a reason naming the missing right instead of counts; with namespace it counts", async () => {
  const k8s = await import('@kubernetes/client-node');
  // The harness's hub identity: pods of its own namespace, nodes; no cluster-wide pod read.
  expect(await cluster.hub.makeApiClient(k8s.CoreV1Api).listPodForAllNamespaces().then(() => 200, httpStatus)).toBe(403);
  const refused = spawnerAs(cluster.hub, 'cluster');
  const capacity = await refused.capacity(GPU_1);
  expect(capacity).toMatchObject({ resource: 'nvidia.com/gpu', perServer: 1, free: null, fits: null, waiting: 0 });
  expect(capacity?.reason).toMatch(/may not list and watch pods in all namespaces, which kubernetes\.capacityPods: cluster needs \(the chart's rbac\.readAllPods grants it; or set capacityPods: namespace\)/);
  expect(capacity?.reason).toMatch(/forbidden/);
  // The question again (the watch keeps retrying in the background): the same answer, no crash.
  expect((await refused.capacity(GPU_1))?.reason).toBe(capacity?.reason);
  // The backend's servers do not depend on it: the pods of its namespace are still listed for polls.
  expect(await refused.poll({ namespace: cluster.namespace, pod: 'no-such-pod', uid: 'none' })).toMatchObject({ status: 'stopped' });
  await freeBecomes(spawnerAs(cluster.hub, 'namespace'), 4);
});

test('a cluster-wide pod watch that keeps being refused is retried, with one warning in the log for it rather than one per retry', async () => {
  const lines: { level: 'warn' | 'debug'; message: string; fields: Record<string, unknown> }[] = [];
  const logger = {
    info: () => undefined,
    warn: (fields: object, message: string) => void lines.push({ level: 'warn', message, fields: fields as Record<string, unknown> }),
    debug: (fields: object, message: string) => void lines.push({ level: 'debug', message, fields: fields as Record<string, unknown> }),
  };
  const watch = new ClusterWatch({ kubeConfig: cluster.hub, namespace: cluster.namespace, scope: 'cluster', logger, retryMs: 20 });
  try {
    await watch.ensureStarted();
    expect(watch.current).toBe(false);
    expect(watch.reason).toMatch(/^the hub may not list and watch pods in all namespaces/);
    await pollUntil('the refused watch to be retried a few times', async () => (lines.filter((l) => l.message.includes('pods watch for capacity failed again')).length >= 3 ? true : undefined), 30_000);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => l.message)).toEqual(['kubernetes: the pods watch for capacity failed; it resumes when the API server answers']);
    expect(warnings[0]?.fields).toMatchObject({ scope: 'cluster', reason: expect.stringMatching(/rbac\.readAllPods.*forbidden/s) });
    // The node watch (the hub identity may read nodes) is up meanwhile.
    expect(watch.listNodes().length).toBeGreaterThan(0);
  } finally {
    await watch.close();
  }
});
