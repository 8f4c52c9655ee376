import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../src/config/load';
import { CHART_DIR, ensureHelm, helm, helmTemplate, manifest, parseManifests, run, valuesFile, type Manifest } from './harness/helm';
import { REPO_ROOT } from './harness/repo-paths';
import { makeSelfSigned } from '../src/proxy/testing/self-signed';

/**
 * The Helm chart (charts/clusterhub) with the real helm (built from the Go module proxy, see
 * harness/helm.ts): lint, template with the default values and with the seed's GPU cluster values,
 * the hub config Secret loaded by the hub's own config loader, the least-privilege Roles derived
 * from the backends, and bad values refused by values.schema.json naming the key. The chart's RBAC
 * against the real API server: helm-chart-rbac.test.ts.
 */
const GPU_VALUES = path.join(__dirname, 'fixtures', 'helm', 'gpu-cluster-values.yaml');
const IN_CLUSTER_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

beforeAll(async () => {
  await ensureHelm();
}, 31 * 60_000);

/** The hub config file of a render (the config Secret's config.yaml), parsed. */
function hubConfigOf(all: readonly Manifest[], release: string): { text: string; doc: Record<string, unknown> } {
  const secret = manifest(all, 'Secret', `${release}-clusterhub-config`) as Manifest & { stringData?: Record<string, string> };
  const text = secret.stringData?.['config.yaml'];
  if (typeof text !== 'string') throw new Error('the config Secret has no config.yaml');
  return { text, doc: parse(text) as Record<string, unknown> };
}

/** Writes a rendered config to a file and loads it with the hub's loader. */
function load(text: string, env: NodeJS.ProcessEnv): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'helm-config-'));
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, text);
  return loadConfig(file, { env, cwd: dir });
}

/** The rules of a rendered Role, as `resource: verbs` lines (sorted), for exact comparison. */
function rulesOf(role: Manifest): string[] {
  const rules = (role as Manifest & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }).rules;
  return rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups.join(',') || 'core'}/${res}: ${[...r.verbs].sort().join(' ')}`)).sort();
}

test('values.schema.json is generated from schema/ and up to date (scripts/gen-chart-schema.mjs --check)', async () => {
  const r = await run('node', [path.join(REPO_ROOT, 'scripts', 'gen-chart-schema.mjs'), '--check']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('helm lint passes with the default values and with the GPU cluster values', async () => {
  for (const extra of [[], ['--values', GPU_VALUES]]) {
    const r = await helm(['lint', CHART_DIR, '--strict', '--namespace', 'clusterhub', ...extra]);
    expect({ code: r.code, out: r.stdout + r.stderr }).toEqual({ code: 0, out: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
  }
});

test('default values: a hub Deployment (one replica, Recreate) under its ServiceAccount, proxy and hub Services, the data PVC, RBAC and a NetworkPolicy in the pods namespace; the config is the hub config file', async () => {
  const all = await helmTemplate('hub1', 'clusterhub');
  expect(all.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
    'ClusterRole/hub1-clusterhub-read-nodes',
    'ClusterRoleBinding/hub1-clusterhub-read-nodes',
    'Deployment/hub1-clusterhub-hub',
    'NetworkPolicy/hub1-clusterhub-singleuser-kubernetes',
    'PersistentVolumeClaim/hub1-clusterhub-hub-db',
    'Role/hub1-clusterhub-hub',
    'RoleBinding/hub1-clusterhub-hub',
    'Secret/hub1-clusterhub-config',
    'Secret/hub1-clusterhub-secret',
    'Service/hub1-clusterhub-hub',
    'Service/hub1-clusterhub-proxy-public',
    'ServiceAccount/hub1-clusterhub-hub',
  ]);
  const clusterScoped = ['ClusterRole', 'ClusterRoleBinding'];
  for (const m of all) expect(m.metadata.namespace).toBe(clusterScoped.includes(m.kind) ? undefined : 'clusterhub');
  // Cluster-wide, only reading nodes and (rbac.readAllPods) pods: capacity.
  expect(rulesOf(manifest(all, 'ClusterRole', 'hub1-clusterhub-read-nodes'))).toEqual(['core/nodes: get list watch', 'core/pods: get list watch']);
  expect(manifest(all, 'ClusterRoleBinding', 'hub1-clusterhub-read-nodes')).toMatchObject({
    roleRef: { kind: 'ClusterRole', name: 'hub1-clusterhub-read-nodes' },
    subjects: [{ kind: 'ServiceAccount', name: 'hub1-clusterhub-hub', namespace: 'clusterhub' }],
  });

  const deployment = manifest(all, 'Deployment', 'hub1-clusterhub-hub') as Manifest & { spec: Record<string, unknown> };
  expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  expect(pod).toMatchObject({ serviceAccountName: 'hub1-clusterhub-hub', securityContext: { runAsNonRoot: true, runAsUser: 1000 } });
  const container = (pod['containers'] as Record<string, unknown>[])[0];
  expect(container).toMatchObject({
    image: 'clusterhub/hub:0.1.0',
    ports: [{ name: 'http', containerPort: 8000 }, { name: 'hub-api', containerPort: 8081 }],
    readinessProbe: { httpGet: { path: '/hub/health', port: 'hub-api' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  expect(pod['volumes']).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'hub1-clusterhub-hub-db' } });

  const proxy = manifest(all, 'Service', 'hub1-clusterhub-proxy-public') as Manifest & { spec: Record<string, unknown> };
  expect(proxy.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ port: 80, targetPort: 'http' }] });
  const hubSvc = manifest(all, 'Service', 'hub1-clusterhub-hub') as Manifest & { spec: Record<string, unknown> };
  expect(hubSvc.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 8081, targetPort: 'hub-api' }] });

  const cookie = manifest(all, 'Secret', 'hub1-clusterhub-secret') as Manifest & { data: Record<string, string> };
  expect(Buffer.from(cookie.data['cookie-secret'] ?? '', 'base64').toString()).toMatch(/^[0-9a-f]{64}$/);

  expect(rulesOf(manifest(all, 'Role', 'hub1-clusterhub-hub'))).toEqual([
    'core/events: list watch',
    'core/persistentvolumeclaims: create get',
    'core/pods: create delete get list watch',
  ]);
  expect(manifest(all, 'RoleBinding', 'hub1-clusterhub-hub')).toMatchObject({
    roleRef: { kind: 'Role', name: 'hub1-clusterhub-hub' },
    subjects: [{ kind: 'ServiceAccount', name: 'hub1-clusterhub-hub', namespace: 'clusterhub' }],
  });

  // The hub config file: the chart's defaults as given, hub.connectUrl filled in with the hub Service.
  const { text, doc } = hubConfigOf(all, 'hub1');
  expect(doc['hub']).toEqual({
    public: { ip: '0.0.0.0', port: 8000 },
    internal: { ip: '0.0.0.0', port: 8081 },
    dataDir: '/srv/clusterhub',
    connectUrl: 'http://hub1-clusterhub-hub.clusterhub.svc:8081/',
  });
  // The hub's own loader accepts it; the only thing missing here is the in-cluster CA file, which
  // exists in the hub's pod only (its ServiceAccount's mounted token).
  let problems: readonly string[] = [];
  try {
    load(text, { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems;
  }
  expect(problems).toEqual([`config error at backends.kubernetes.kubernetes.caFile: cannot read ${IN_CLUSTER_CA} (ENOENT)`]);
});

test("the GPU cluster values: the config Secret holds the seed's profiles and backend and loads with the hub's loader; Roles in the pods and exporter namespaces with only what those need; PostgreSQL means no data PVC; Ingress with TLS, a GPU ResourceQuota, the hub's PodDisruptionBudget", async () => {
  const all = await helmTemplate('cps', 'jupyterhub', [GPU_VALUES]);
  const { text, doc } = hubConfigOf(all, 'cps');
  expect(Object.keys(doc['backends'] as object)).toEqual(['gpu']);
  expect((doc['hub'] as Record<string, unknown>)['connectUrl']).toBe('http://cps-clusterhub-hub.jupyterhub.svc:8081/jupyter/');

  // The same file through the hub's loader, with the in-cluster files present.
  const sa = mkdtempSync(path.join(os.tmpdir(), 'helm-sa-'));
  writeFileSync(path.join(sa, 'ca.crt'), 'CA');
  writeFileSync(path.join(sa, 'token'), 'TOKEN');
  const withFiles = parse(text) as { backends: { gpu: { kubernetes: Record<string, unknown> } } };
  withFiles.backends.gpu.kubernetes['caFile'] = path.join(sa, 'ca.crt');
  withFiles.backends.gpu.kubernetes['tokenFile'] = path.join(sa, 'token');
  const config = load(JSON.stringify(withFiles), { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
  expect(config.profiles.map((p) => `${p.slug}:${p.kind}`)).toEqual(['cpu:cpu', 'mig-1g:mig', 'mig-2g:mig', 'a100:gpu', 'a100x2:gpu', 'h200-mig:mig']);
  expect(config.db).toMatchObject({ kind: 'postgres' });
  expect(config.hub.baseUrl).toBe('/jupyter/');
  const gpu = config.backends['gpu']?.kubernetes;
  expect(gpu?.pod).toMatchObject({ namespace: 'jhub', extraLabels: { team: 'cps' } });
  expect(gpu?.connection).toMatchObject({ kind: 'token', server: 'https://10.96.0.1:443' });

  expect(all.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`).sort()).toEqual([
    'ClusterRole//cps-clusterhub-read-nodes',
    'ClusterRoleBinding//cps-clusterhub-read-nodes',
    'Deployment/jupyterhub/cps-clusterhub-hub',
    'Ingress/jupyterhub/cps-clusterhub',
    'NetworkPolicy/jhub/cps-clusterhub-singleuser-gpu',
    'PodDisruptionBudget/jupyterhub/cps-clusterhub-hub',
    'ResourceQuota/jhub/cps-clusterhub-singleuser',
    'Role/gpu-operator/cps-clusterhub-hub',
    'Role/jhub/cps-clusterhub-hub',
    'RoleBinding/gpu-operator/cps-clusterhub-hub',
    'RoleBinding/jhub/cps-clusterhub-hub',
    'Secret/jupyterhub/cps-clusterhub-config',
    'Secret/jupyterhub/cps-clusterhub-secret',
    'Service/jupyterhub/cps-clusterhub-hub',
    'Service/jupyterhub/cps-clusterhub-proxy-public',
    'ServiceAccount/jupyterhub/cps-clusterhub-hub',
  ]);
  expect(rulesOf(manifest(all, 'Role', 'cps-clusterhub-hub', 'jhub'))).toEqual([
    'core/events: list watch',
    'core/persistentvolumeclaims: create get',
    'core/pods: create delete get list watch',
  ]);
  expect(rulesOf(manifest(all, 'Role', 'cps-clusterhub-hub', 'gpu-operator'))).toEqual(['core/pods: list']);
  expect(manifest(all, 'RoleBinding', 'cps-clusterhub-hub', 'gpu-operator')).toMatchObject({
    subjects: [{ kind: 'ServiceAccount', name: 'cps-clusterhub-hub', namespace: 'jupyterhub' }],
  });

  const deployment = manifest(all, 'Deployment', 'cps-clusterhub-hub') as Manifest & { spec: { template: { spec: Record<string, unknown> } } };
  const pod = deployment.spec.template.spec;
  expect(pod['volumes']).toContainEqual({ name: 'data', emptyDir: {} });
  expect(pod).toMatchObject({
    nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
    tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
    containers: [{ readinessProbe: { httpGet: { path: '/jupyter/hub/health' } }, resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '2Gi' } } }],
  });
  expect(manifest(all, 'Service', 'cps-clusterhub-hub').metadata.annotations).toEqual({
    'prometheus.io/scrape': 'true',
    'prometheus.io/path': '/jupyter/hub/metrics',
    'prometheus.io/port': '8081',
  });
  expect(manifest(all, 'Service', 'cps-clusterhub-proxy-public')).toMatchObject({ spec: { type: 'ClusterIP' } });
  expect(manifest(all, 'Ingress', 'cps-clusterhub')).toMatchObject({
    spec: {
      ingressClassName: 'nginx',
      rules: [{ host: 'jupyter.cps.example.org', http: { paths: [{ path: '/jupyter/', pathType: 'Prefix', backend: { service: { name: 'cps-clusterhub-proxy-public', port: { name: 'http' } } } }] } }],
      tls: [{ hosts: ['jupyter.cps.example.org'], secretName: 'jupyter-tls' }],
    },
  });
  expect(manifest(all, 'ResourceQuota', 'cps-clusterhub-singleuser')).toMatchObject({ spec: { hard: { 'requests.nvidia.com/gpu': '4', 'requests.nvidia.com/mig-1g.5gb': '7' } } });
  expect(manifest(all, 'PodDisruptionBudget', 'cps-clusterhub-hub')).toMatchObject({ spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': 'hub' } } } });

  // User pods: in from the hub pod only, out to the hub API, DNS and the configured internet rule.
  expect(manifest(all, 'NetworkPolicy', 'cps-clusterhub-singleuser-gpu')).toMatchObject({
    spec: {
      podSelector: { matchLabels: { app: 'jupyterhub', component: 'singleuser-server', team: 'cps' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'jupyterhub' } }, podSelector: { matchLabels: { 'app.kubernetes.io/component': 'hub', 'app.kubernetes.io/instance': 'cps' } } }],
          ports: [{ port: 8888, protocol: 'TCP' }],
        },
      ],
      egress: [
        { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'hub' } } }], ports: [{ port: 8081, protocol: 'TCP' }] },
        { ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
      ],
    },
  });
});

test('a cookie secret given in values is used as-is; rbac.create and networkPolicy.enabled false leave those out, rbac.readNodes false the node-reading ClusterRole', async () => {
  const secret = 'ab'.repeat(32);
  const all = await helmTemplate('hub2', 'clusterhub', [valuesFile({ hub: { cookieSecret: secret }, rbac: { create: false }, networkPolicy: { enabled: false } })]);
  const cookie = manifest(all, 'Secret', 'hub2-clusterhub-secret') as Manifest & { data: Record<string, string> };
  expect(Buffer.from(cookie.data['cookie-secret'] ?? '', 'base64').toString()).toBe(secret);
  expect(all.filter((m) => ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'NetworkPolicy'].includes(m.kind))).toEqual([]);
  const noNodes = await helmTemplate('hub3', 'clusterhub', [valuesFile({ rbac: { readNodes: false } })]);
  expect(noNodes.map((m) => m.kind)).toContain('Role');
  expect(noNodes.filter((m) => m.kind.startsWith('Cluster'))).toEqual([]);
});

/** The env entries and port names of a rendered Deployment's first container. */
function containerOf(all: readonly Manifest[], name: string): { env: { name: string; value?: string; valueFrom?: unknown }[]; ports: { name: string }[]; command?: string[]; image: string } {
  const deployment = manifest(all, 'Deployment', name) as Manifest & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
  return deployment.spec.template.spec.containers[0] as ReturnType<typeof containerOf>;
}

/** The decoded data of the release's generated Secret. */
function secretData(all: readonly Manifest[], name: string): Record<string, string> {
  const secret = manifest(all, 'Secret', name) as Manifest & { data: Record<string, string> };
  return Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

describe('proxy.kind chp: configurable-http-proxy in its own Deployment', () => {
  test('renders the proxy Deployment, its API Service and NetworkPolicy, points proxy-public at it, shares a generated token, and merges proxy kind chp + apiUrl into the hub config', async () => {
    const all = await helmTemplate('hub4', 'clusterhub', [valuesFile({ proxy: { kind: 'chp' } })]);
    expect(all.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ClusterRole/hub4-clusterhub-read-nodes',
      'ClusterRoleBinding/hub4-clusterhub-read-nodes',
      'Deployment/hub4-clusterhub-hub',
      'Deployment/hub4-clusterhub-proxy',
      'NetworkPolicy/hub4-clusterhub-proxy',
      'NetworkPolicy/hub4-clusterhub-singleuser-kubernetes',
      'PersistentVolumeClaim/hub4-clusterhub-hub-db',
      'Role/hub4-clusterhub-hub',
      'RoleBinding/hub4-clusterhub-hub',
      'Secret/hub4-clusterhub-config',
      'Secret/hub4-clusterhub-secret',
      'Service/hub4-clusterhub-hub',
      'Service/hub4-clusterhub-proxy-api',
      'Service/hub4-clusterhub-proxy-public',
      'ServiceAccount/hub4-clusterhub-hub',
    ]);
    const proxySelector = { 'app.kubernetes.io/name': 'clusterhub', 'app.kubernetes.io/instance': 'hub4', 'app.kubernetes.io/component': 'proxy' };
    const hubSelector = { 'app.kubernetes.io/name': 'clusterhub', 'app.kubernetes.io/instance': 'hub4', 'app.kubernetes.io/component': 'hub' };

    // The image is upstream's, at the version of configurable-http-proxy the project's tests run.
    const chpVersion = (JSON.parse(readFileSync(require.resolve('configurable-http-proxy/package.json'), 'utf8')) as { version: string }).version;
    const chp = containerOf(all, 'hub4-clusterhub-proxy');
    expect(chp.image).toBe(`quay.io/jupyterhub/configurable-http-proxy:${chpVersion}`);
    expect(chp.command).toEqual([
      'configurable-http-proxy',
      '--ip=',
      '--port=8000',
      '--api-ip=',
      '--api-port=8001',
      '--default-target=http://hub4-clusterhub-hub.clusterhub.svc:8081',
      '--error-target=http://hub4-clusterhub-hub.clusterhub.svc:8081/hub/error',
    ]);
    const tokenRef = { name: 'CONFIGPROXY_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'hub4-clusterhub-secret', key: 'proxy-token' } } };
    expect(chp.env).toEqual([tokenRef]);
    expect(chp.ports.map((p) => p.name)).toEqual(['http', 'api']);
    const proxyPod = (manifest(all, 'Deployment', 'hub4-clusterhub-proxy') as Manifest & { spec: Record<string, unknown> }).spec;
    expect(proxyPod).toMatchObject({
      replicas: 1,
      selector: { matchLabels: proxySelector },
      template: { spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true }, containers: [{ readinessProbe: { httpGet: { path: '/_chp_healthz', port: 'http' } }, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }] } },
    });

    // The hub: the same token, no public port of its own.
    const hub = containerOf(all, 'hub4-clusterhub-hub');
    expect(hub.env).toContainEqual(tokenRef);
    expect(hub.ports.map((p) => p.name)).toEqual(['hub-api']);
    const secrets = secretData(all, 'hub4-clusterhub-secret');
    expect(Object.keys(secrets).sort()).toEqual(['cookie-secret', 'proxy-token']);
    expect(secrets['proxy-token']).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets['proxy-token']).not.toBe(secrets['cookie-secret']);

    // Browsers reach the proxy pod; its API only the hub pod.
    expect(manifest(all, 'Service', 'hub4-clusterhub-proxy-public')).toMatchObject({ spec: { type: 'LoadBalancer', selector: proxySelector, ports: [{ port: 80, targetPort: 'http' }] } });
    expect(manifest(all, 'Service', 'hub4-clusterhub-proxy-api')).toMatchObject({ spec: { type: 'ClusterIP', selector: proxySelector, ports: [{ port: 8001, targetPort: 'api' }] } });
    expect((manifest(all, 'NetworkPolicy', 'hub4-clusterhub-proxy') as Manifest & { spec: unknown }).spec).toEqual({
      podSelector: { matchLabels: proxySelector },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }, { from: [{ podSelector: { matchLabels: hubSelector } }], ports: [{ port: 'api', protocol: 'TCP' }] }],
    });
    // User pods: in from the hub pod and now also from the proxy pod.
    const singleuser = manifest(all, 'NetworkPolicy', 'hub4-clusterhub-singleuser-kubernetes') as Manifest & { spec: { ingress: { from: unknown[] }[] } };
    expect(singleuser.spec.ingress[0]?.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clusterhub' } }, podSelector: { matchLabels: hubSelector } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'clusterhub' } }, podSelector: { matchLabels: proxySelector } },
    ]);

    // The hub config: proxy kind chp at the proxy-api Service; the hub's loader takes it with the token in its environment.
    const { text, doc } = hubConfigOf(all, 'hub4');
    expect(doc['proxy']).toEqual({ kind: 'chp', apiUrl: 'http://hub4-clusterhub-proxy-api.clusterhub.svc:8001' });
    const sa = mkdtempSync(path.join(os.tmpdir(), 'helm-sa-'));
    writeFileSync(path.join(sa, 'ca.crt'), 'CA');
    writeFileSync(path.join(sa, 'token'), 'TOKEN');
    const withFiles = parse(text) as { backends: { kubernetes: { kubernetes: Record<string, unknown> } } };
    Object.assign(withFiles.backends.kubernetes.kubernetes, { caFile: path.join(sa, 'ca.crt'), tokenFile: path.join(sa, 'token') });
    const config = load(JSON.stringify(withFiles), { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', CONFIGPROXY_AUTH_TOKEN: secrets['proxy-token'] });
    expect(config.proxy).toMatchObject({ kind: 'chp', apiUrl: 'http://hub4-clusterhub-proxy-api.clusterhub.svc:8001', authToken: secrets['proxy-token'] });
  });

  test('proxy.secretToken and chp settings given in values are used; hub.config.proxy intervals are kept', async () => {
    const token = 'cd'.repeat(32);
    const all = await helmTemplate('hub5', 'clusterhub', [
      valuesFile({
        hub: { config: { proxy: { checkRoutesIntervalSeconds: 30 } } },
        proxy: { kind: 'chp', secretToken: token, chp: { image: { repository: 'registry.example/chp', tag: '5.3.0', pullPolicy: 'Always' }, extraArgs: ['--log-level=debug'], resources: { requests: { cpu: '100m' } }, nodeSelector: { pool: 'core' } } },
      }),
    ]);
    expect(secretData(all, 'hub5-clusterhub-secret')['proxy-token']).toBe(token);
    const chp = containerOf(all, 'hub5-clusterhub-proxy');
    expect(chp).toMatchObject({ image: 'registry.example/chp:5.3.0', imagePullPolicy: 'Always', resources: { requests: { cpu: '100m' } } });
    expect(chp.command?.at(-1)).toBe('--log-level=debug');
    expect(manifest(all, 'Deployment', 'hub5-clusterhub-proxy')).toMatchObject({ spec: { template: { spec: { nodeSelector: { pool: 'core' } } } } });
    expect(hubConfigOf(all, 'hub5').doc['proxy']).toEqual({ kind: 'chp', apiUrl: 'http://hub5-clusterhub-proxy-api.clusterhub.svc:8001', checkRoutesIntervalSeconds: 30 });
  });

  test('the default (built-in proxy) renders none of it: no proxy token, proxy-public on the hub pod', async () => {
    const all = await helmTemplate('hub6', 'clusterhub');
    expect(all.filter((m) => m.metadata.name.includes('proxy') && m.metadata.name !== 'hub6-clusterhub-proxy-public')).toEqual([]);
    expect(Object.keys(secretData(all, 'hub6-clusterhub-secret'))).toEqual(['cookie-secret']);
    expect(manifest(all, 'Service', 'hub6-clusterhub-proxy-public')).toMatchObject({ spec: { selector: { 'app.kubernetes.io/component': 'hub' } } });
    expect(containerOf(all, 'hub6-clusterhub-hub').env.map((e) => e.name)).toEqual(['CLUSTERHUB_CONFIG', 'CLUSTERHUB_COOKIE_SECRET']);
    expect(hubConfigOf(all, 'hub6').doc['proxy']).toBeUndefined();
  });

  test('hub.config.proxy.kind chp without proxy.kind chp, or a different hub.config.proxy.kind with it, is refused', async () => {
    const alone = await helm(['template', 'bad', CHART_DIR, '--namespace', 'clusterhub', '--values', valuesFile({ hub: { config: { proxy: { kind: 'chp', apiUrl: 'http://chp:8001' } } } })]);
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toContain('hub.config.proxy.kind is chp but the chart runs no configurable-http-proxy: set proxy.kind: chp');
    const mixed = await helm(['template', 'bad', CHART_DIR, '--namespace', 'clusterhub', '--values', valuesFile({ proxy: { kind: 'chp' }, hub: { config: { proxy: { kind: 'builtin' } } } })]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toContain('proxy.kind is chp but hub.config.proxy.kind is builtin');
  });
});

describe('hub.db.existingSecret: the PostgreSQL URL from a Secret the chart does not manage', () => {
  test('the hub container reads it from the Secret into CLUSTERHUB_DB_URL, the config says db.urlEnv, and no data PVC is made', async () => {
    const all = await helmTemplate('hub7', 'clusterhub', [valuesFile({ hub: { db: { existingSecret: 'hub-db', existingSecretKey: 'connection-url' } } })]);
    expect(containerOf(all, 'hub7-clusterhub-hub').env).toContainEqual({ name: 'CLUSTERHUB_DB_URL', valueFrom: { secretKeyRef: { name: 'hub-db', key: 'connection-url' } } });
    expect(all.filter((m) => m.kind === 'PersistentVolumeClaim')).toEqual([]);
    const pod = (manifest(all, 'Deployment', 'hub7-clusterhub-hub') as Manifest & { spec: { template: { spec: { volumes: unknown[] } } } }).spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    const { text, doc } = hubConfigOf(all, 'hub7');
    expect(doc['db']).toEqual({ kind: 'postgres', urlEnv: 'CLUSTERHUB_DB_URL' });
    expect(text).not.toContain('postgres://');

    // The hub's loader: the URL from the variable; without it, the key named.
    const sa = mkdtempSync(path.join(os.tmpdir(), 'helm-sa-'));
    writeFileSync(path.join(sa, 'ca.crt'), 'CA');
    writeFileSync(path.join(sa, 'token'), 'TOKEN');
    const withFiles = parse(text) as { backends: { kubernetes: { kubernetes: Record<string, unknown> } } };
    Object.assign(withFiles.backends.kubernetes.kubernetes, { caFile: path.join(sa, 'ca.crt'), tokenFile: path.join(sa, 'token') });
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const url = 'postgresql://clusterhub:from-the-secret@postgres.db.svc:5432/clusterhub';
    expect(load(JSON.stringify(withFiles), { ...env, CLUSTERHUB_DB_URL: url }).db).toEqual({ kind: 'postgres', url });
    expect(() => load(JSON.stringify(withFiles), env)).toThrow('config error at db.urlEnv: the environment variable CLUSTERHUB_DB_URL is not set');
  });

  test('the default key is url; with hub.config.db.url also set the render fails, saying so', async () => {
    const all = await helmTemplate('hub8', 'clusterhub', [valuesFile({ hub: { db: { existingSecret: 'hub-db' } } })]);
    expect(containerOf(all, 'hub8-clusterhub-hub').env).toContainEqual({ name: 'CLUSTERHUB_DB_URL', valueFrom: { secretKeyRef: { name: 'hub-db', key: 'url' } } });
    const both = await helm(['template', 'bad', CHART_DIR, '--namespace', 'clusterhub', '--values', valuesFile({ hub: { db: { existingSecret: 'hub-db' }, config: { db: { kind: 'postgres', url: 'postgres://hub@db/hub' } } } })]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('hub.db.existingSecret and hub.config.db.url (or urlEnv) are both set');
  });
});

describe('proxy.https: HTTPS on proxy-public from a Secret, served by the hub', () => {
  test('the Secret is mounted, the rendered config names its files (and loads with real ones), the Service and the container port say https', async () => {
    const all = await helmTemplate('hub9', 'clusterhub', [valuesFile({ proxy: { https: { enabled: true, secret: { name: 'jupyter-tls', crt: 'cert.pem', key: 'key.pem' } } } })]);
    const hub = containerOf(all, 'hub9-clusterhub-hub') as ReturnType<typeof containerOf> & { volumeMounts: unknown[] };
    expect(hub.ports.map((p) => p.name)).toEqual(['https', 'hub-api']);
    expect(hub.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/clusterhub-tls', readOnly: true });
    const pod = (manifest(all, 'Deployment', 'hub9-clusterhub-hub') as Manifest & { spec: { template: { spec: { volumes: unknown[] } } } }).spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'tls',
      secret: { secretName: 'jupyter-tls', defaultMode: 0o440, items: [{ key: 'cert.pem', path: 'tls.crt' }, { key: 'key.pem', path: 'tls.key' }] },
    });
    const service = manifest(all, 'Service', 'hub9-clusterhub-proxy-public') as Manifest & { spec: { ports: unknown[] } };
    expect(service.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https' }]);
    const { doc } = hubConfigOf(all, 'hub9');
    expect((doc['hub'] as Record<string, unknown>)['tls']).toEqual({ certFile: '/etc/clusterhub-tls/tls.crt', keyFile: '/etc/clusterhub-tls/tls.key' });

    // The hub's loader with real files where the Secret would be: it reads and checks them.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'helm-tls-'));
    const cert = makeSelfSigned(dir, 'tls');
    const withFiles = doc as { hub: Record<string, unknown>; backends: { kubernetes: { kubernetes: Record<string, unknown> } } };
    withFiles.hub['tls'] = { certFile: cert.certFile, keyFile: cert.keyFile };
    writeFileSync(path.join(dir, 'ca.crt'), 'CA');
    writeFileSync(path.join(dir, 'token'), 'TOKEN');
    Object.assign(withFiles.backends.kubernetes.kubernetes, { caFile: path.join(dir, 'ca.crt'), tokenFile: path.join(dir, 'token') });
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(load(JSON.stringify(withFiles), env).hub.tls).toEqual({ certFile: cert.certFile, keyFile: cert.keyFile });
    withFiles.hub['tls'] = { certFile: cert.certFile, keyFile: path.join(dir, 'missing.key') };
    expect(() => load(JSON.stringify(withFiles), env)).toThrow(/config error at hub\.tls\.keyFile: cannot read/);
  });

  test.each([
    ['no Secret', { proxy: { https: { enabled: true } } }, 'proxy.https.enabled needs proxy.https.secret.name'],
    ['configurable-http-proxy', { proxy: { kind: 'chp', https: { enabled: true, secret: { name: 'tls' } } } }, 'proxy.https.enabled with proxy.kind chp'],
    ['an Ingress', { ingress: { enabled: true }, proxy: { https: { enabled: true, secret: { name: 'tls' } } } }, 'proxy.https.enabled with ingress.enabled'],
    ['hub.config.hub.tls too', { proxy: { https: { enabled: true, secret: { name: 'tls' } } }, hub: { config: { hub: { tls: { certFile: '/a', keyFile: '/b' } } } } }, 'proxy.https.enabled and hub.config.hub.tls are both set'],
    ['a type the chart does not offer', { proxy: { https: { enabled: true, type: 'letsencrypt', secret: { name: 'tls' } } } }, "at '/proxy/https/type'"],
  ])('refuses %s, saying why', async (_what, values, message) => {
    const r = await helm(['template', 'bad', CHART_DIR, '--namespace', 'clusterhub', '--values', valuesFile(values)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});

describe('bad values are refused by values.schema.json, naming the key', () => {
  const cases: [string, unknown, RegExp][] = [
    ['an unknown hub config key', { hub: { config: { hub: { publicPort: 80 } } } }, /\/hub\/config\/hub.*publicPort/s],
    ['a profile kind the hub does not know', { hub: { config: { profiles: [{ slug: 'x', displayName: 'X', kind: 'tpu', backend: 'kubernetes' }] } } }, /\/hub\/config\/profiles\/0\/kind/],
    ['a MIG profile name that is not one', { hub: { config: { profiles: [{ slug: 'x', displayName: 'X', kind: 'mig', resources: { mig: { profile: 'half' } } }] } } }, /\/hub\/config\/profiles\/0\/resources\/mig\/profile/],
    ['a backend namespace that is not a DNS label', { hub: { config: { backends: { kubernetes: { kubernetes: { namespace: 'Bad_NS' } } } } } }, /\/hub\/config\/backends\/kubernetes\/kubernetes\/namespace/],
    ['a kubernetes backend without its image', { hub: { config: { backends: { kubernetes: { kubernetes: { image: null } } } } } }, /\/hub\/config\/backends\/kubernetes\/kubernetes.*image/s],
    ['a proxy Service type Kubernetes does not have', { proxy: { service: { type: 'Ingress' } } }, /\/proxy\/service\/type/],
    ['a cookie secret that is not hex', { hub: { cookieSecret: 'not-hex' } }, /\/hub\/cookieSecret/],
    ['an unknown chart value', { singleuser: { profileList: [] } }, /singleuser/],
    ['an Ingress host that is not a host name', { ingress: { enabled: true, hosts: ['https://jupyter.example.org/'] } }, /\/ingress\/hosts\/0/],
    ['an Ingress TLS entry without its Secret', { ingress: { enabled: true, tls: [{ hosts: ['a.example.org'] }] } }, /\/ingress\/tls\/0.*secretName/s],
    ['a proxy kind the chart does not know', { proxy: { kind: 'traefik' } }, /\/proxy\/kind/],
    ['a proxy token that is not hex', { proxy: { kind: 'chp', secretToken: 'not-hex' } }, /\/proxy\/secretToken/],
    ['a configurable-http-proxy flag that is not one', { proxy: { kind: 'chp', chp: { extraArgs: ['log-level=debug'] } } }, /\/proxy\/chp\/extraArgs\/0/],
    ['a database Secret name that is not one', { hub: { db: { existingSecret: 'Hub_DB' } } }, /\/hub\/db\/existingSecret/],
    ['a db.urlEnv that is no variable name', { hub: { config: { db: { kind: 'postgres', urlEnv: 'HUB DB' } } } }, /\/hub\/config\/db\/urlEnv/],
  ];
  test.each(cases)('%s', async (_what, values, key) => {
    const r = await helm(['template', 'bad', CHART_DIR, '--namespace', 'clusterhub', '--values', valuesFile(values)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(key);
  });
});

test('parseManifests refuses a document that does not parse', () => {
  expect(() => parseManifests('kind: [\n')).toThrow(/does not parse/);
});
