import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CoreV1Api, KubeConfig, KubernetesObject } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { parse } from 'yaml';
import { loadConfig } from '../src/config/load';
import type { ResolvedConfig } from '../src/config/types';
import type { ResolvedKubernetesBackend } from '../src/config/kubernetes-backend';
import { createKubernetesSpawner, kubeConfigFor } from '../src/spawners/kubernetes/create';
import type { KubernetesSpawner } from '../src/spawners/kubernetes/kubernetes-spawner';
import type { ProgressEvent } from '../src/spawners/spawner';
import { CHART_DIR, ensureHelm, helm, helmTemplate, manifest, valuesFile, type Manifest } from './harness/helm';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { removeClaims } from './harness/k8s/claims';
import { startNodeAgent, type NodeAgent } from './harness/k8s/node-agent';
import { FAKE_GPU_NODES, httpStatus } from './harness/k8s/objects';
import { pollUntil } from './harness/singleuser';

/**
 * The chart's RBAC on the real test API server (docs/kubernetes-testing.md): the rendered
 * ServiceAccount, Roles and RoleBindings applied as the admin, a token for that ServiceAccount from
 * the TokenRequest API, and the hub's Kubernetes backend built by the hub's own code from the config
 * file the chart rendered (the seed's GPU values, pointed at the test cluster). It starts, polls and
 * stops a user pod (with its claim) with exactly those rights; what the chart does not grant is
 * refused with 403. Every other rendered manifest is accepted by the API server (server-side dry run).
 */
const RUN = randomBytes(3).toString('hex');
const SUITE = 'clusterhub.test/suite';
const RUN_LABEL = 'clusterhub.test/run';
const RELEASE = 'helmrbac';
/** The hub's namespace (ServiceAccount, Deployment, Services, Secrets). */
const RELEASE_NS = 'clusterhub-helm';
/** Where the dcgm-exporter pods would be (the hub may only list pods there). */
const EXPORTER_NS = 'clusterhub-helm-exporters';
const GPU_VALUES = path.join(__dirname, 'fixtures', 'helm', 'gpu-cluster-values.yaml');
const USER = `helm-${RUN}`;

type K8s = Awaited<typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } })>;

let cluster: K8sTestCluster;
let k8s: K8s;
let adminCore: CoreV1Api;
let agent: NodeAgent;
let rendered: Manifest[];
/** The values file of {@link rendered}: the seed's GPU values pointed at the test cluster. */
let chartValues: string;
let backend: ResolvedKubernetesBackend;
let profiles: ResolvedConfig['profiles'];
let spawner: KubernetesSpawner;
/** The chart's ServiceAccount, as the hub would call the API server with it. */
let hubKc: KubeConfig;

const RBAC_KINDS = ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  await ensureHelm();
  k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  for (const name of [RELEASE_NS, EXPORTER_NS]) await keepExisting(adminCore.createNamespace({ body: { metadata: { name } } }));
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=helm-chart`, gracePeriodSeconds: 0 });
  await removeClaims(cluster.admin, cluster.namespace, `${SUITE}=helm-chart`);

  // The seed's values, pointed at the test cluster: its pods namespace, its API server and CA, a
  // token file (filled below), a command the node agent can run, no NFS class or datasets claim.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'helm-rbac-'));
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, 'not yet', { mode: 0o600 });
  // (Helm drops a key set to null only where the chart's own defaults have it: edit the seed's file.)
  const values = parse(readFileSync(GPU_VALUES, 'utf8')) as { hub: { config: { backends: { gpu: { kubernetes: Record<string, unknown> } } } } };
  const gpu = values.hub.config.backends.gpu.kubernetes;
  delete gpu['sharedVolumes'];
  Object.assign(gpu, {
    namespace: cluster.namespace,
    apiServer: cluster.info.apiUrl,
    caFile: cluster.info.caFile,
    tokenFile,
    image: 'clusterhub.test/none',
    cmd: ['sleep', '600'],
    storage: { size: '1Gi' },
    extraLabels: { ...(gpu['extraLabels'] as Record<string, string>), [SUITE]: 'helm-chart', [RUN_LABEL]: RUN },
    dcgmExporter: { namespace: EXPORTER_NS, labelSelector: 'app=nvidia-dcgm-exporter' },
  });
  chartValues = valuesFile(values);
  rendered = await helmTemplate(RELEASE, RELEASE_NS, [chartValues]);

  // Only the chart's RBAC is applied (server-side apply, idempotent across runs).
  const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.admin);
  for (const m of rendered.filter((x) => RBAC_KINDS.includes(x.kind))) {
    await objects.patch(m as KubernetesObject, undefined, undefined, 'clusterhub-test', true, k8s.PatchStrategy.ServerSideApply);
  }
  const sa = manifest(rendered, 'ServiceAccount', `${RELEASE}-clusterhub-hub`);
  const token = await adminCore.createNamespacedServiceAccountToken({ name: sa.metadata.name, namespace: RELEASE_NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  writeFileSync(tokenFile, token.status?.token ?? '');

  // The hub's config file as the chart rendered it, loaded and turned into a backend by the hub's code.
  const secret = manifest(rendered, 'Secret', `${RELEASE}-clusterhub-config`) as Manifest & { stringData: Record<string, string> };
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, secret.stringData['config.yaml'] ?? '');
  const config = loadConfig(configFile, { env: {} });
  const resolved = config.backends['gpu']?.kubernetes;
  if (!resolved) throw new Error('the rendered config has no kubernetes backend gpu');
  backend = resolved;
  profiles = config.profiles;
  expect(backend.connection).toEqual({ kind: 'token', server: cluster.info.apiUrl, caFile: cluster.info.caFile, tokenFile, token: null });
  spawner = createKubernetesSpawner(backend);
  hubKc = await kubeConfigFor(backend.connection);
  agent = await startNodeAgent({ kubeConfig: cluster.admin, namespace: cluster.namespace, nodes: FAKE_GPU_NODES.map((n) => n.name), labelSelector: `${SUITE}=helm-chart,${RUN_LABEL}=${RUN}` });
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await spawner?.close();
  await agent?.stop();
  if (adminCore) {
    await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=helm-chart,${RUN_LABEL}=${RUN}`, gracePeriodSeconds: 0 });
    await removeClaims(cluster.admin, cluster.namespace, `${SUITE}=helm-chart,${RUN_LABEL}=${RUN}`);
  }
});

/** Awaits a create call; 409 (it exists) counts as success. */
async function keepExisting(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
}

/** The HTTP status a call ends with (200 when it succeeds). */
async function statusOf(call: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await call();
    return 200;
  } catch (err) {
    return httpStatus(err);
  }
}

test('every rendered manifest is accepted by the real API server (server-side dry run), with the default values and with the GPU cluster values', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.admin);
  // The defaults put user pods into `clusterhub`, the test cluster's pods namespace: install there.
  // (Dry runs only: the ResourceQuota of the GPU values must not bind the other test files.)
  const defaults = await helmTemplate('helmdefault', cluster.namespace);
  const others = rendered.filter((m) => !RBAC_KINDS.includes(m.kind));
  expect(others.map((m) => m.kind).sort()).toEqual(['Deployment', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'ResourceQuota', 'Secret', 'Secret', 'Service', 'Service']);
  const accepted: string[] = [];
  for (const m of [...defaults, ...others]) {
    await objects.create(m as KubernetesObject, undefined, 'All');
    accepted.push(`${m.kind}/${m.metadata.name}`);
  }
  expect(accepted).toContain('PersistentVolumeClaim/helmdefault-clusterhub-hub-db');
  expect(accepted).toContain('Role/helmdefault-clusterhub-hub');
});

test("with a token of the chart's ServiceAccount and only the chart's Roles, the hub's backend from the rendered config starts a MIG server (claim and pod), polls it running and stops it; the claim stays", async () => {
  const profile = profiles.find((p) => p.slug === 'mig-1g');
  if (!profile) throw new Error('no mig-1g profile in the rendered config');
  const progress: ProgressEvent[] = [];
  const result = await spawner.start(
    { user: { id: 1, name: USER, groups: [] }, server: { id: 1, name: '' }, profile, userOptions: {}, prefix: `/jupyter/user/${USER}/`, env: { JUPYTERHUB_USER: USER } },
    { signal: new AbortController().signal, onProgress: (e) => progress.push(e), persistHandle: async () => undefined },
  );
  const podName = `jupyter-${USER}`;
  expect(result.handle).toMatchObject({ namespace: cluster.namespace, pod: podName });
  expect(progress.map((e) => e.message)).toContain('Scheduled on node gpu-mig-0');
  expect(result.target).toBe(`http://${agent.ipOf(podName) ?? ''}:8888`);
  expect(await spawner.poll(result.handle)).toEqual({ status: 'running' });

  const pod = await adminCore.readNamespacedPod({ namespace: cluster.namespace, name: podName });
  expect(pod.spec?.containers[0]?.resources?.limits).toMatchObject({ 'nvidia.com/mig-1g.5gb': '1' });
  expect(pod.metadata?.labels).toMatchObject({ team: 'cps', component: 'singleuser-server' });
  expect(await statusOf(() => adminCore.readNamespacedPersistentVolumeClaim({ namespace: cluster.namespace, name: `claim-${USER}` }))).toBe(200);

  await spawner.stop(result.handle, { timeoutSeconds: 30 });
  await pollUntil('the pod to be gone', async () => ((await statusOf(() => adminCore.readNamespacedPod({ namespace: cluster.namespace, name: podName }))) === 404 ? true : undefined), 30_000);
  expect((await spawner.poll(result.handle)).status).toBe('stopped');
  expect(await statusOf(() => adminCore.readNamespacedPersistentVolumeClaim({ namespace: cluster.namespace, name: `claim-${USER}` }))).toBe(200);
});

test("with the chart's rights the backend tells what is free for a MIG profile: nodes and every namespace's pods read through the ClusterRole (capacityPods: cluster, rendered)", async () => {
  expect(backend.capacityPods).toBe('cluster');
  const profile = profiles.find((p) => p.slug === 'mig-1g');
  if (!profile) throw new Error('no mig-1g profile in the rendered config');
  const capacity = await spawner.capacity(profile);
  expect(capacity).toMatchObject({ resource: 'nvidia.com/mig-1g.5gb', perServer: 1 });
  // Other test files may hold MIG slices meanwhile: what is free is known, at most the node's seven.
  expect(capacity?.reason).toBeUndefined();
  expect(capacity?.free).toEqual(expect.any(Number));
  expect(capacity?.free).toBeLessThanOrEqual(7);
});

test('the GPU metrics source may list the exporter pods in their namespace, and may not change them or read events there', async () => {
  const core = hubKc.makeApiClient(k8s.CoreV1Api);
  expect(await statusOf(() => core.listNamespacedPod({ namespace: EXPORTER_NS, labelSelector: 'app=nvidia-dcgm-exporter' }))).toBe(200);
  // (Reading single pods there is allowed by the cluster-wide pod read of rbac.readAllPods; changing them is not.)
  expect(await statusOf(() => core.deleteNamespacedPod({ namespace: EXPORTER_NS, name: 'any', dryRun: 'All' }))).toBe(403);
  expect(await statusOf(() => core.listNamespacedEvent({ namespace: EXPORTER_NS }))).toBe(403);
});

test('what the chart does not grant is refused with 403: secrets, changing nodes, other namespaces, verbs the backend never uses', async () => {
  const core = hubKc.makeApiClient(k8s.CoreV1Api);
  const ns = cluster.namespace;
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  // Destructive calls are dry runs: authorization is decided before the dry run stops them.
  const refused: [string, () => Promise<unknown>][] = [
    ['read a secret in the pods namespace', () => core.listNamespacedSecret({ namespace: ns })],
    ["read the hub's own config Secret", () => core.readNamespacedSecret({ namespace: RELEASE_NS, name: `${RELEASE}-clusterhub-config` })],
    ['delete a node', () => core.deleteNode({ name: 'gpu-full-0', dryRun: 'All' })],
    ['patch a node', () => core.patchNode({ name: 'gpu-full-0', body: { metadata: { labels: { a: 'b' } } }, dryRun: 'All' }, merge)],
    ['delete a pod in kube-system', () => core.deleteNamespacedPod({ namespace: 'kube-system', name: 'x', dryRun: 'All' })],
    ['create a pod in kube-system', () => core.createNamespacedPod({ namespace: 'kube-system', body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } }, dryRun: 'All' })],
    ['create a pod in its own namespace', () => core.createNamespacedPod({ namespace: RELEASE_NS, body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'x', image: 'x' }] } }, dryRun: 'All' })],
    ['delete every pod at once', () => core.deleteCollectionNamespacedPod({ namespace: ns, dryRun: 'All' })],
    ['patch a pod', () => core.patchNamespacedPod({ namespace: ns, name: 'x', body: { metadata: { labels: { a: 'b' } } }, dryRun: 'All' }, merge)],
    ['read pod logs', () => core.readNamespacedPodLog({ namespace: ns, name: 'x' })],
    ['list claims', () => core.listNamespacedPersistentVolumeClaim({ namespace: ns })],
    ['delete a claim', () => core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: `claim-${USER}`, dryRun: 'All' })],
    ['create a service', () => core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } }, dryRun: 'All' })],
    ['list persistent volumes', () => core.listPersistentVolume()],
  ];
  const statuses = await Promise.all(refused.map(async ([what, call]) => [what, await statusOf(call)] as const));
  expect(statuses).toEqual(refused.map(([what]) => [what, 403]));
});

test("the ServiceAccount's rules in the pods namespace are exactly the chart's Role, beyond what any ServiceAccount has (the API server's own view)", async () => {
  // A ServiceAccount with no bindings (the harness's `default`) shows what every identity may do anyway.
  const token = await adminCore.createNamespacedServiceAccountToken({ name: 'default', namespace: cluster.namespace, body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const bare = new k8s.KubeConfig();
  bare.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.info.apiUrl, caFile: cluster.info.caFile, skipTLSVerify: false }],
    users: [{ name: 'default', token: token.status?.token ?? '' }],
    contexts: [{ name: 'default', cluster: 'test', user: 'default' }],
    currentContext: 'default',
  });
  const rulesOf = async (kc: KubeConfig): Promise<string[]> => {
    const review = await kc.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace: cluster.namespace } } });
    return (review.status?.resourceRules ?? []).flatMap((r) => (r.resources ?? []).map((res) => `${(r.apiGroups ?? []).join(',') || 'core'}/${res}: ${[...r.verbs].sort().join(' ')}`));
  };
  const everyone = new Set(await rulesOf(bare));
  expect(everyone.size).toBeGreaterThan(0);
  const chart = (await rulesOf(hubKc)).filter((r) => !everyone.has(r)).sort();
  // The ClusterRole (nodes, and pods everywhere with rbac.readAllPods) shows here too (a rules review lists cluster-wide rules as well).
  expect(chart).toEqual(['core/events: list watch', 'core/nodes: get list watch', 'core/persistentvolumeclaims: create get', 'core/pods: create delete get list watch', 'core/pods: get list watch']);
});

/** A client of the CoreV1 API as the release's ServiceAccount (a fresh token from the TokenRequest API). */
async function coreAs(release: string): Promise<CoreV1Api> {
  const token = await adminCore.createNamespacedServiceAccountToken({ name: `${release}-clusterhub-hub`, namespace: RELEASE_NS, body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.info.apiUrl, caFile: cluster.info.caFile, skipTLSVerify: false }],
    users: [{ name: release, token: token.status?.token ?? '' }],
    contexts: [{ name: release, cluster: 'test', user: release }],
    currentContext: release,
  });
  return kc.makeApiClient(k8s.CoreV1Api);
}

/** The ClusterRole's rules and each kubernetes backend's capacityPods in the rendered config. */
function capacityGrant(all: readonly Manifest[], release: string): { rules: unknown; capacityPods: Record<string, unknown> } {
  const role = manifest(all, 'ClusterRole', `${release}-clusterhub-read-nodes`) as Manifest & { rules: unknown };
  const secret = manifest(all, 'Secret', `${release}-clusterhub-config`) as Manifest & { stringData: Record<string, string> };
  const config = parse(secret.stringData['config.yaml'] ?? '') as { backends?: Record<string, { kubernetes?: { capacityPods?: unknown } }> };
  return { rules: role.rules, capacityPods: Object.fromEntries(Object.entries(config.backends ?? {}).map(([name, b]) => [name, b.kubernetes?.capacityPods])) };
}

test("rbac.readAllPods (default on): the ClusterRole also reads pods and the rendered config counts every namespace's pods, the ServiceAccount may list pods cluster-wide; off: neither, and the token is refused the cluster-wide read", async () => {
  const nodes = { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] };
  const pods = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] };
  expect(capacityGrant(rendered, RELEASE)).toEqual({ rules: [nodes, pods], capacityPods: { gpu: 'cluster' } });
  const off = `${RELEASE}-nopods`;
  const offRendered = await helmTemplate(off, RELEASE_NS, [chartValues, valuesFile({ rbac: { readAllPods: false } })]);
  expect(capacityGrant(offRendered, off)).toEqual({ rules: [nodes], capacityPods: { gpu: undefined } });
  // A value hub.config sets is kept (an admin who grants the read some other way, or wants the namespace only).
  const kept = await helmTemplate('helmkept', RELEASE_NS, [chartValues, valuesFile({ hub: { config: { backends: { gpu: { kubernetes: { capacityPods: 'namespace' } } } } } })]);
  expect(capacityGrant(kept, 'helmkept').capacityPods).toEqual({ gpu: 'namespace' });

  const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.admin);
  for (const m of offRendered.filter((x) => RBAC_KINDS.includes(x.kind))) {
    await objects.patch(m as KubernetesObject, undefined, undefined, 'clusterhub-test', true, k8s.PatchStrategy.ServerSideApply);
  }
  const on = await coreAs(RELEASE);
  const without = await coreAs(off);
  const reads = async (core: CoreV1Api): Promise<(number | undefined)[]> => [await statusOf(() => core.listPodForAllNamespaces({ limit: 1 })), await statusOf(() => core.listNamespacedPod({ namespace: 'kube-system', limit: 1 }))];
  expect(await reads(on)).toEqual([200, 200]);
  expect(await reads(without)).toEqual([403, 403]);
  // Both still manage the user pods of their backend's namespace.
  expect(await statusOf(() => without.listNamespacedPod({ namespace: cluster.namespace, limit: 1 }))).toBe(200);
});

test('helm install, then upgrade, on the real API server: the generated cookie secret is kept across the upgrade', async () => {
  const release = `helmup-${RUN}`;
  const ns = `${RELEASE_NS}-install`;
  const cookieOf = async (): Promise<string> => {
    const s = await adminCore.readNamespacedSecret({ namespace: ns, name: `${release}-clusterhub-secret` });
    return Buffer.from(s.data?.['cookie-secret'] ?? '', 'base64').toString();
  };
  // PostgreSQL: no data PVC, whose protection finalizer nothing would lift here after the uninstall.
  const values = valuesFile({ hub: { config: { db: { kind: 'postgres', url: 'postgresql://hub:pw@postgres:5432/hub' } } } });
  const common = ['--kubeconfig', cluster.info.adminKubeconfig, '--namespace', ns, '--values', values];
  try {
    const install = await helm(['install', release, CHART_DIR, '--create-namespace', ...common]);
    expect({ code: install.code, err: install.stderr }).toEqual({ code: 0, err: '' });
    expect(install.stdout).toContain('STATUS: deployed');
    const first = await cookieOf();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const upgrade = await helm(['upgrade', release, CHART_DIR, ...common, '--set', 'hub.podAnnotations.changed=yes']);
    expect({ code: upgrade.code, err: upgrade.stderr }).toEqual({ code: 0, err: '' });
    expect(upgrade.stdout).toContain('REVISION: 2');
    expect(await cookieOf()).toBe(first);
    const deployment = await cluster.admin.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: ns, name: `${release}-clusterhub-hub` });
    expect(deployment.spec?.template.metadata?.annotations).toMatchObject({ changed: 'yes' });
  } finally {
    await helm(['uninstall', release, '--kubeconfig', cluster.info.adminKubeconfig, '--namespace', ns]);
  }
});
