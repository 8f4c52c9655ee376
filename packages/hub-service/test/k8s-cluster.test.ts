import { randomBytes } from 'node:crypto';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ProfileConfig } from '@clusterhub/shared';
import { buildPod, buildUserPvc, type KubernetesPodSettings } from '../src/spawners/kubernetes/manifests';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { acquireGpuLock } from './harness/k8s/gpu-lock';
import { FAKE_GPU_NODES, httpStatus } from './harness/k8s/objects';

/**
 * The Kubernetes test environment itself: a real kube-apiserver and kube-scheduler (v1.37.2) with
 * etcd, fake GPU nodes, and the restricted hub identity. Pods here are bound by the real scheduler
 * (no kubelet runs them). Needs no root.
 */
const RUN = randomBytes(3).toString('hex');
const SUITE_LABEL = 'clusterhub.test/suite';

let cluster: K8sTestCluster;
let hubCore: CoreV1Api;
let adminCore: CoreV1Api;
let releaseGpus: () => void = () => undefined;

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  // The placement checks expect free GPUs: no other file's GPU pods meanwhile.
  releaseGpus = await acquireGpuLock(cluster.info.runDir);
  const k8s = await import('@kubernetes/client-node');
  hubCore = cluster.hub.makeApiClient(k8s.CoreV1Api);
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  // Pods of an earlier run that died before its cleanup would hold GPUs (the hub may not deletecollection).
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE_LABEL}=k8s-cluster`, gracePeriodSeconds: 0 });
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  if (adminCore) await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE_LABEL}=k8s-cluster`, gracePeriodSeconds: 0 });
  releaseGpus();
});

/** Pods built by the hub's own manifest builder; no PVC (nothing binds one without a controller-manager). */
function settings(): KubernetesPodSettings {
  return {
    namespace: cluster.namespace,
    defaultImage: 'clusterhub.test/singleuser:never-pulled',
    uid: 1000,
    gid: 100,
    fsGroup: 100,
    storage: null,
    scratch: { mountPath: '/scratch', sizeLimit: '1Gi' },
    extraLabels: { [SUITE_LABEL]: 'k8s-cluster' },
  };
}

function profile(slug: string, kind: ProfileConfig['kind'], resources: ProfileConfig['resources']): ProfileConfig {
  return { slug, displayName: slug, kind, resources: { cpu: { guarantee: 0.1 }, memory: { guarantee: '128Mi', limit: '128Mi' }, ...resources } };
}
const MIG_1G = profile('mig-1g', 'mig', { mig: { profile: '1g.5gb' } });
const GPU_2 = profile('gpu-2', 'gpu', { gpus: { count: 2 } });
const GPU_3 = profile('gpu-3', 'gpu', { gpus: { count: 3 } });

/** Creates (as the hub) the pod of `user`'s default server on `prof`; returns its name. */
async function createServerPod(user: string, prof: ProfileConfig): Promise<string> {
  const pod = buildPod(settings(), { userName: `${user}-${RUN}`, serverName: '', profile: prof, kubernetes: {}, environment: { JUPYTERHUB_USER: user }, command: ['jupyterhub-singleuser'] });
  await hubCore.createNamespacedPod({ namespace: cluster.namespace, body: pod });
  return pod.metadata?.name ?? '';
}

/** Polls the pod (as the hub) until `check` says it is what the test waits for; fails after 30 s. */
async function waitForPod(name: string, what: string, check: (pod: V1Pod) => boolean): Promise<V1Pod> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const pod = await hubCore.readNamespacedPod({ namespace: cluster.namespace, name });
    if (check(pod)) return pod;
    if (Date.now() > deadline) throw new Error(`pod ${name}: ${what} did not happen; status ${JSON.stringify(pod.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the fake GPU nodes are listed with their GPU capacity, Ready and untainted (hub identity)', async () => {
  const nodes = await hubCore.listNode({ labelSelector: 'clusterhub.test/fake-node=true' });
  const byName = new Map(nodes.items.map((n) => [n.metadata?.name ?? '', n]));
  expect([...byName.keys()].sort()).toEqual(FAKE_GPU_NODES.map((n) => n.name).sort());
  const mig = byName.get('gpu-mig-0');
  expect(mig?.status?.allocatable).toMatchObject({ 'nvidia.com/mig-1g.5gb': '7', 'nvidia.com/mig-2g.10gb': '3' });
  expect(mig?.status?.allocatable?.['nvidia.com/gpu']).toBeUndefined();
  expect(mig?.metadata?.labels?.['nvidia.com/mig.capable']).toBe('true');
  for (const name of ['gpu-full-0', 'gpu-full-1']) {
    expect(byName.get(name)?.status?.capacity).toMatchObject({ 'nvidia.com/gpu': '2' });
  }
  for (const node of nodes.items) {
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.spec?.taints ?? []).toEqual([]);
  }
});

test('the real scheduler binds a MIG pod to the MIG node and a two-GPU pod to a full-GPU node', async () => {
  const ns = cluster.namespace;
  const migName = await createServerPod('mig-user', MIG_1G);
  const gpuName = await createServerPod('gpu-user', GPU_2);
  const mig = await waitForPod(migName, 'binding', (p) => Boolean(p.spec?.nodeName));
  const gpu = await waitForPod(gpuName, 'binding', (p) => Boolean(p.spec?.nodeName));
  expect(mig.spec?.nodeName).toBe('gpu-mig-0');
  expect(['gpu-full-0', 'gpu-full-1']).toContain(gpu.spec?.nodeName);
  expect(gpu.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
  // What the API server kept of the builder's pod: resources, placement, labels, security context.
  expect(mig.spec?.containers[0]?.resources?.limits?.['nvidia.com/mig-1g.5gb']).toBe('1');
  expect(mig.spec?.containers[0]?.resources?.requests?.['nvidia.com/mig-1g.5gb']).toBe('1');
  expect(mig.spec?.nodeSelector).toEqual({ 'nvidia.com/mig.capable': 'true' });
  expect(gpu.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu']).toBe('2');
  expect(gpu.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions).toEqual([
    { key: 'nvidia.com/mig.capable', operator: 'NotIn', values: ['true'] },
  ]);
  expect(gpu.spec?.runtimeClassName).toBe('nvidia');
  expect(gpu.metadata?.labels).toMatchObject({ component: 'singleuser-server', 'hub.jupyter.org/username': `gpu-user-${RUN}` });
  expect(gpu.spec?.containers[0]?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  expect(gpu.spec?.automountServiceAccountToken).toBe(false);
  // No kubelet: a bound pod is deleted at once only with grace period 0.
  await hubCore.deleteNamespacedPod({ namespace: ns, name: migName, gracePeriodSeconds: 0 });
  await hubCore.deleteNamespacedPod({ namespace: ns, name: gpuName, gracePeriodSeconds: 0 });
});

test('a pod asking more GPUs than any node has stays Pending with a FailedScheduling event naming nvidia.com/gpu', async () => {
  const ns = cluster.namespace;
  const name = await createServerPod('greedy-user', GPU_3);
  const pod = await waitForPod(name, 'PodScheduled=False', (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False') ?? false);
  expect(pod.spec?.nodeName).toBeUndefined();
  expect(pod.status?.phase).toBe('Pending');
  const deadline = Date.now() + 30_000;
  let messages: string[] = [];
  for (;;) {
    const events = await hubCore.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name},reason=FailedScheduling` });
    messages = events.items.map((e) => e.message ?? '');
    if (messages.some((m) => m.includes('nvidia.com/gpu')) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(messages.join('\n')).toMatch(/Insufficient nvidia\.com\/gpu/);
  await hubCore.deleteNamespacedPod({ namespace: ns, name, gracePeriodSeconds: 0 });
});

test('the restricted hub identity gets 403 outside its namespace and for cluster objects it may not change', async () => {
  const outside = await hubCore.listNamespacedPod({ namespace: 'kube-system' }).then(
    () => 'allowed',
    (err: unknown) => httpStatus(err),
  );
  expect(outside).toBe(403);
  const secrets = await hubCore.listNamespacedSecret({ namespace: 'default' }).then(
    () => 'allowed',
    (err: unknown) => httpStatus(err),
  );
  expect(secrets).toBe(403);
  const node = await hubCore.deleteNode({ name: 'gpu-full-1' }).then(
    () => 'allowed',
    (err: unknown) => httpStatus(err),
  );
  expect(node).toBe(403);
  // ...while its own namespace works.
  await expect(hubCore.listNamespacedPod({ namespace: cluster.namespace })).resolves.toHaveProperty('items');
});

test('the API server accepts the pod and the PVC built for user names that are not DNS labels, each under its own name', async () => {
  const ns = cluster.namespace;
  const users = ['Ann Lee', 'ann+lab@uni.example', 'José Müller', '渡辺', 'a.b', 'a_b', 'x'.repeat(255)];
  const storage = { nameTemplate: 'claim-{username}', size: '1Gi', accessModes: ['ReadWriteOnce'], mountPath: '/home/jovyan' };
  const podNames = new Set<string>();
  const claimNames = new Set<string>();
  for (const userName of users) {
    const server = { userName, serverName: 'gpu', profile: GPU_2, kubernetes: {}, environment: {}, command: ['jupyterhub-singleuser'] };
    const pod = buildPod({ ...settings(), storage }, server);
    const pvc = buildUserPvc({ ...settings(), storage }, server);
    if (!pvc) throw new Error('no PVC built');
    // A server-side dry run: validation and admission, nothing stored.
    const created = await hubCore.createNamespacedPod({ namespace: ns, body: pod, dryRun: 'All', fieldValidation: 'Strict' });
    const claim = await hubCore.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc, dryRun: 'All', fieldValidation: 'Strict' });
    expect(created.metadata?.annotations?.['hub.jupyter.org/username']).toBe(userName);
    podNames.add(created.metadata?.name ?? '');
    claimNames.add(claim.metadata?.name ?? '');
  }
  expect(podNames.size).toBe(users.length);
  expect(claimNames.size).toBe(users.length);
});

test('a watch of the namespace\'s pods (as the hub, with bookmarks) sees a pod added and bound', async () => {
  const k8s = await import('@kubernetes/client-node');
  const seen: { type: string; name: string; node: string }[] = [];
  let name = '';
  let resolveBound: () => void = () => undefined;
  const bound = new Promise<void>((resolve) => (resolveBound = resolve));
  const abort = await new k8s.Watch(cluster.hub).watch(
    `/api/v1/namespaces/${cluster.namespace}/pods`,
    { labelSelector: `${SUITE_LABEL}=k8s-cluster`, allowWatchBookmarks: true },
    (type: string, obj: unknown) => {
      const pod = obj as V1Pod;
      seen.push({ type, name: pod.metadata?.name ?? '', node: pod.spec?.nodeName ?? '' });
      if (name !== '' && pod.metadata?.name === name && pod.spec?.nodeName) resolveBound();
    },
    () => undefined,
  );
  try {
    name = await createServerPod('watch-user', MIG_1G);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no bound pod in the watch: ${JSON.stringify(seen)}`)), 30_000).unref());
    await Promise.race([bound, timeout]);
    expect(seen.filter((e) => e.name === name).map((e) => e.type)).toContain('ADDED');
    expect(seen.find((e) => e.name === name && e.node !== '')?.node).toBe('gpu-mig-0');
  } finally {
    abort.abort();
    if (name !== '') await hubCore.deleteNamespacedPod({ namespace: cluster.namespace, name, gracePeriodSeconds: 0 });
  }
});
