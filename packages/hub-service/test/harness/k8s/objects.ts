/**
 * The objects every Kubernetes test expects in the test cluster, created through the API as the
 * admin: the test namespace and its `default` ServiceAccount (no controller-manager runs to create
 * it), the restricted hub identity's RBAC (a Role in the namespace, a ClusterRole that only reads
 * nodes), the `nvidia` RuntimeClass the seed's GPU pods name, and three fake GPU nodes, Ready and
 * without the `node.kubernetes.io/not-ready` taint (nothing else removes it without a
 * controller-manager). Idempotent: objects that exist are kept (several jest workers may run this at
 * once against one cluster). Test tooling.
 */
import type { KubeConfig, V1Node, V1NodeCondition } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/** The namespace the hub identity manages in tests. */
export const TEST_NAMESPACE = 'clusterhub';
/** A label on every fake node (a future node agent selects its nodes with it). */
export const FAKE_NODE_LABEL = 'clusterhub.test/fake-node';

/** One fake node: its name, labels and the extended resources it offers. */
export interface FakeGpuNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Extended resources (capacity = allocatable), e.g. `nvidia.com/gpu: '2'`. */
  readonly gpus: Readonly<Record<string, string>>;
}

/**
 * The seed's GPU cluster in small: one MIG node (an A100 40GB cut into seven 1g.5gb and three 2g.10gb
 * slices, "mixed" strategy) and two full-GPU nodes with two A100s each; one says
 * `mig.capable=false`, the other has no such label (a NotIn affinity must match both).
 */
export const FAKE_GPU_NODES: readonly FakeGpuNode[] = [
  {
    name: 'gpu-mig-0',
    labels: {
      'nvidia.com/mig.capable': 'true',
      'nvidia.com/mig.strategy': 'mixed',
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB',
      'nvidia.com/gpu.present': 'true',
    },
    gpus: { 'nvidia.com/mig-1g.5gb': '7', 'nvidia.com/mig-2g.10gb': '3' },
  },
  {
    name: 'gpu-full-0',
    labels: { 'nvidia.com/mig.capable': 'false', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.present': 'true' },
    gpus: { 'nvidia.com/gpu': '2' },
  },
  {
    name: 'gpu-full-1',
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB', 'nvidia.com/gpu.present': 'true' },
    gpus: { 'nvidia.com/gpu': '2' },
  },
];

/** Creates whatever of the test objects is missing, as the cluster admin. */
export async function bootstrapTestObjects(admin: KubeConfig, hubUser: string): Promise<void> {
  const k8s = await import('@kubernetes/client-node');
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  const nodeApi = admin.makeApiClient(k8s.NodeV1Api);
  const ns = TEST_NAMESPACE;
  const hubSubject = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: hubUser }];

  await keepExisting(core.createNamespace({ body: { metadata: { name: ns } } }));
  await keepExisting(core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'default' } } }));
  await keepExisting(
    rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: 'clusterhub-hub' },
        rules: [
          {
            apiGroups: [''],
            resources: ['pods', 'persistentvolumeclaims', 'services', 'secrets', 'configmaps'],
            verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
          },
          { apiGroups: [''], resources: ['events', 'pods/log'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
        ],
      },
    }),
  );
  await keepExisting(
    rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: { metadata: { name: 'clusterhub-hub' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'clusterhub-hub' }, subjects: hubSubject },
    }),
  );
  await keepExisting(
    rbac.createClusterRole({
      body: { metadata: { name: 'clusterhub-hub-read-nodes' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }] },
    }),
  );
  await keepExisting(
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'clusterhub-hub-read-nodes' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'clusterhub-hub-read-nodes' },
        subjects: hubSubject,
      },
    }),
  );
  await keepExisting(nodeApi.createRuntimeClass({ body: { metadata: { name: 'nvidia' }, handler: 'nvidia' } }));

  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  for (const node of FAKE_GPU_NODES) {
    await keepExisting(core.createNode({ body: nodeObject(node) }));
    await core.patchNodeStatus({ name: node.name, body: { status: nodeStatus(node) } }, merge);
    // The TaintNodesByCondition admission taints every new node not-ready; the node lifecycle
    // controller of a controller-manager would lift it once Ready, and none runs here.
    await core.patchNode({ name: node.name, body: { spec: { taints: null } } }, merge);
  }
}

function nodeObject(node: FakeGpuNode): V1Node {
  return {
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        [FAKE_NODE_LABEL]: 'true',
        ...node.labels,
      },
    },
    spec: {},
  };
}

function nodeStatus(node: FakeGpuNode): NonNullable<V1Node['status']> {
  const now = new Date();
  const condition = (type: string, status: string, reason: string): V1NodeCondition => ({
    type,
    status,
    reason,
    message: 'fake node of the clusterhub test control plane',
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    capacity: { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '500Gi', ...node.gpus },
    allocatable: { cpu: '31', memory: '250Gi', pods: '110', 'ephemeral-storage': '450Gi', ...node.gpus },
    conditions: [
      condition('Ready', 'True', 'KubeletReady'),
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
    ],
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    nodeInfo: {
      machineID: node.name,
      systemUUID: node.name,
      bootID: node.name,
      kernelVersion: 'fake',
      osImage: 'fake',
      containerRuntimeVersion: 'fake://0',
      kubeletVersion: 'v1.37.2',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

/** Awaits a create call; an HTTP 409 (the object exists already) counts as success. */
async function keepExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
}

/** The HTTP status of a failed client-node call (its `ApiException.code`), if any. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}
