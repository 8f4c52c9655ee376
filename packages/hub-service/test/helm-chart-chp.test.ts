import { randomBytes } from 'node:crypto';
import type { CoreV1Api, KubernetesObject } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { CHART_DIR, ensureHelm, helm, helmTemplate, valuesFile } from './harness/helm';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';

/**
 * The chart with configurable-http-proxy in its own Deployment (proxy.kind chp) and the PostgreSQL
 * URL from an existing Secret (hub.db.existingSecret), on the real test API server
 * (docs/kubernetes-testing.md): every rendered manifest passes a server-side dry run, and an
 * install then an upgrade keep both generated secrets (the cookie secret and the proxy token).
 * The templates themselves: helm-chart.test.ts.
 */
const RUN = randomBytes(3).toString('hex');
const CHP_VALUES = { proxy: { kind: 'chp', service: { type: 'ClusterIP' } }, hub: { db: { existingSecret: 'hub-db' } } };

type K8s = Awaited<typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } })>;

let cluster: K8sTestCluster;
let k8s: K8s;
let adminCore: CoreV1Api;

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  await ensureHelm();
  k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
}, K8S_SETUP_TIMEOUT_MS);

test('with proxy.kind chp and hub.db.existingSecret every rendered manifest is accepted by the real API server (server-side dry run)', async () => {
  // The defaults put user pods into `clusterhub`, the test cluster's pods namespace: render there.
  const rendered = await helmTemplate('helmchp', cluster.namespace, [valuesFile(CHP_VALUES)]);
  const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.admin);
  const accepted: string[] = [];
  for (const m of rendered) {
    await objects.create(m as KubernetesObject, undefined, 'All');
    accepted.push(`${m.kind}/${m.metadata.name}`);
  }
  expect(accepted).toEqual(expect.arrayContaining(['Deployment/helmchp-clusterhub-proxy', 'Service/helmchp-clusterhub-proxy-api', 'NetworkPolicy/helmchp-clusterhub-proxy', 'Deployment/helmchp-clusterhub-hub']));
  expect(accepted.filter((a) => a.startsWith('PersistentVolumeClaim/'))).toEqual([]);
});

test('helm install, then upgrade, with proxy.kind chp: the generated cookie secret and proxy token are kept across the upgrade', async () => {
  const release = `helmchp-${RUN}`;
  const ns = 'clusterhub-helm-chp';
  const secretOf = async (): Promise<Record<string, string>> => {
    const s = await adminCore.readNamespacedSecret({ namespace: ns, name: `${release}-clusterhub-secret` });
    return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  };
  const common = ['--kubeconfig', cluster.info.adminKubeconfig, '--namespace', ns, '--values', valuesFile(CHP_VALUES)];
  try {
    const install = await helm(['install', release, CHART_DIR, '--create-namespace', ...common]);
    expect({ code: install.code, err: install.stderr }).toEqual({ code: 0, err: '' });
    const first = await secretOf();
    expect(Object.keys(first).sort()).toEqual(['cookie-secret', 'proxy-token']);
    expect(first['proxy-token']).toMatch(/^[0-9a-f]{64}$/);
    const upgrade = await helm(['upgrade', release, CHART_DIR, ...common, '--set', 'proxy.chp.podAnnotations.changed=yes']);
    expect({ code: upgrade.code, err: upgrade.stderr }).toEqual({ code: 0, err: '' });
    expect(upgrade.stdout).toContain('REVISION: 2');
    expect(await secretOf()).toEqual(first);
    const proxy = await cluster.admin.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ namespace: ns, name: `${release}-clusterhub-proxy` });
    expect(proxy.spec?.template.metadata?.annotations).toMatchObject({ changed: 'yes' });
  } finally {
    await helm(['uninstall', release, '--kubeconfig', cluster.info.adminKubeconfig, '--namespace', ns]);
  }
});
