import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { classifyReading } from '../src/metrics/gpu/classify';
import { createDcgmGpuSource, type DcgmGpuSource } from '../src/metrics/gpu/dcgm/dcgm-source';
import type { GpuWatchedServer } from '../src/metrics/gpu/source';
import { watchedServer } from '../src/metrics/gpu/testing/watched-server';
import { podName } from '../src/spawners/kubernetes/names';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { startNodeAgent, type NodeAgent } from './harness/k8s/node-agent';
import { FAKE_GPU_NODES } from './harness/k8s/objects';
import { pollUntil } from './harness/singleuser';

/**
 * The DCGM source finding its exporters through the real test API server (docs/kubernetes-testing.md):
 * "exporter" pods, labelled as a site's dcgm-exporter DaemonSet would be, run by the test node agent
 * on two fake GPU nodes; each serves a FAKE exporter output (test/fixtures/gpu/fake-dcgm/, named
 * as fakes in their README) on its pod address at port 9400. The source lists them with the hub's
 * restricted identity and scrapes each once per round.
 */
const RUN = randomBytes(3).toString('hex');
const SUITE = 'clusterhub.test/suite';
const RUN_LABEL = 'clusterhub.test/run';
const EXPORTER_LABEL = 'app.kubernetes.io/name';
const LABELS = { [SUITE]: 'k8s-dcgm', [RUN_LABEL]: RUN, [EXPORTER_LABEL]: `dcgm-exporter-${RUN}` };
const SELECTOR = `${EXPORTER_LABEL}=dcgm-exporter-${RUN}`;
const FAKE_DCGM = path.join(__dirname, 'fixtures', 'gpu', 'fake-dcgm');
const POLICY = { thresholdPercent: 10 };

/** Serves $METRICS_TEXT at /metrics where JUPYTERHUB_SERVICE_URL says (the agent puts the pod's address there). */
const EXPORTER = [
  'python3',
  '-c',
  [
    'import os, http.server, urllib.parse as u',
    "a = u.urlparse(os.environ['JUPYTERHUB_SERVICE_URL']); body = os.environ['METRICS_TEXT'].encode()",
    'class H(http.server.BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    "        ok = self.path == '/metrics'",
    '        self.send_response(200 if ok else 404); self.send_header("Content-Type", "text/plain; version=0.0.4"); self.end_headers()',
    '        self.wfile.write(body if ok else b"")',
    'http.server.HTTPServer((a.hostname, a.port), H).serve_forever()',
  ].join('\n'),
];

let cluster: K8sTestCluster;
let adminCore: CoreV1Api;
let agent: NodeAgent;

function exporterPod(name: string, node: string, command: readonly string[], metricsFile: string | null): V1Pod {
  const env = [{ name: 'JUPYTERHUB_SERVICE_URL', value: 'http://0.0.0.0:9400/' }];
  if (metricsFile) env.push({ name: 'METRICS_TEXT', value: readFileSync(path.join(FAKE_DCGM, metricsFile), 'utf8') });
  return {
    metadata: { name, labels: LABELS },
    spec: {
      nodeName: node,
      securityContext: { runAsUser: 1000, runAsGroup: 1000 },
      containers: [{ name: 'exporter', image: 'clusterhub.test/none', command: [...command], env, ports: [{ containerPort: 9400, name: 'metrics' }] }],
    },
  };
}

async function runExporter(name: string, node: string, command: readonly string[], metricsFile: string | null): Promise<string> {
  await adminCore.createNamespacedPod({ namespace: cluster.namespace, body: exporterPod(name, node, command, metricsFile) });
  return pollUntil(`the exporter pod ${name} to run`, async () => {
    const pod = await adminCore.readNamespacedPod({ namespace: cluster.namespace, name });
    return pod.status?.phase === 'Running' && pod.status.podIP ? pod.status.podIP : undefined;
  }, 30_000);
}

async function answers(ip: string): Promise<boolean> {
  return pollUntil(`the exporter at ${ip} to answer`, async () => ((await fetch(`http://${ip}:9400/metrics`).then((r) => r.ok, () => false)) ? true : undefined), 30_000);
}

function watched(user: string, server = ''): GpuWatchedServer {
  return watchedServer(user, server, { spawnerKind: 'kubernetes', backend: 'gpu', handle: { namespace: 'jhub', pod: podName(user, server), uid: `uid-${user}` } });
}

const SERVERS = [watched('alice'), watched('bob'), watched('carol', 'gpu'), watched('dora')];

function discovering(namespace: string): DcgmGpuSource {
  return createDcgmGpuSource({
    backend: 'gpu',
    exporter: { kind: 'pods', namespace, labelSelector: SELECTOR, port: 9400 },
    timeoutMs: 5000,
    kubeConfig: () => Promise.resolve(cluster.hub),
  });
}

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  const k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-dcgm`, gracePeriodSeconds: 0 });
  agent = await startNodeAgent({ kubeConfig: cluster.admin, namespace: cluster.namespace, nodes: FAKE_GPU_NODES.map((n) => n.name), labelSelector: `${SUITE}=k8s-dcgm,${RUN_LABEL}=${RUN}` });
  const ips = await Promise.all([runExporter(`dcgm-${RUN}-full`, 'gpu-full-1', EXPORTER, 'node-full.txt'), runExporter(`dcgm-${RUN}-mig`, 'gpu-mig-0', EXPORTER, 'node-mig.txt')]);
  for (const ip of ips) await answers(ip);
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await agent?.stop();
  if (adminCore) await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-dcgm,${RUN_LABEL}=${RUN}`, gracePeriodSeconds: 0 });
});

test('finds the exporter pods through the API server and gives each server its GPU or MIG slice', async () => {
  const outcome = await discovering(cluster.namespace).collect(SERVERS);
  expect(outcome.failures).toBeUndefined();
  expect([...outcome.readings.keys()].sort()).toEqual(['alice/', 'bob/', 'carol/gpu', 'dora/']);
  const activity = SERVERS.map((s) => {
    const reading = outcome.readings.get(s.key);
    return reading ? classifyReading(reading, POLICY) : 'none';
  });
  expect(activity).toEqual(['busy', 'held-idle', 'busy', 'held-idle']);
  expect(outcome.devices).toHaveLength(7);
});

test('an exporter pod that runs but does not answer is a failure for its node; the others still count', async () => {
  const mute = `dcgm-${RUN}-mute`;
  await runExporter(mute, 'gpu-full-0', ['sleep', '600'], null);
  try {
    const outcome = await discovering(cluster.namespace).collect(SERVERS);
    expect([...(outcome.failures?.keys() ?? [])]).toEqual(['gpu-full-0']);
    expect(outcome.failures?.get('gpu-full-0')).toMatch(/^http:\/\/127\.\d+\.\d+\.\d+:9400\/metrics: fetch failed: .*ECONNREFUSED/);
    expect([...outcome.readings.keys()].sort()).toEqual(['alice/', 'bob/', 'carol/gpu', 'dora/']);
  } finally {
    await adminCore.deleteNamespacedPod({ namespace: cluster.namespace, name: mute, gracePeriodSeconds: 0 });
  }
});

test('a namespace the hub may not list pods in: the round fails with the reason', async () => {
  await expect(discovering('kube-system').collect(SERVERS)).rejects.toThrow(/^cannot list the dcgm-exporter pods \(namespace kube-system, app\.kubernetes\.io\/name=dcgm-exporter-\w+\): .*403/s);
});

test('no running exporter pod: the round fails, never "idle"', async () => {
  const none = createDcgmGpuSource({
    backend: 'gpu',
    exporter: { kind: 'pods', namespace: cluster.namespace, labelSelector: `${EXPORTER_LABEL}=no-such-exporter`, port: 9400 },
    timeoutMs: 5000,
    kubeConfig: () => Promise.resolve(cluster.hub),
  });
  await expect(none.collect(SERVERS)).rejects.toThrow('no dcgm-exporter to scrape (no running exporter pod found)');
});
