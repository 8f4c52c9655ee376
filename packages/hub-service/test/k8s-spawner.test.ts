import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ProfileConfig } from '@clusterhub/shared';
import { KubernetesSpawner } from '../src/spawners/kubernetes/kubernetes-spawner';
import type { PollResult, ProgressEvent, SpawnRequest } from '../src/spawners/spawner';
import { describeSpawnerContract } from '../src/spawners/spawner.contract';
import { ensureK8sCluster, K8S_SETUP_TIMEOUT_MS, type K8sTestCluster } from './harness/k8s/cluster';
import { startNodeAgent, type NodeAgent } from './harness/k8s/node-agent';
import { FAKE_GPU_NODES } from './harness/k8s/objects';
import { pollUntil } from './harness/singleuser';
import { Relay, viaRelay } from './harness/k8s/relay';

/**
 * KubernetesSpawner on its own against the real test cluster, reached through a TCP relay the test
 * can cut: while the API server cannot be reached, polls say `unknown` (never `stopped`); once it
 * can, the watch resumes and sees what changed meanwhile. The pod's command is a plain `sleep`.
 * Then the Spawner contract, with pods whose command is a small HTTP server on the pod's address.
 */
const RUN = randomBytes(3).toString('hex');
const SUITE = 'clusterhub.test/suite';
const RUN_LABEL = 'clusterhub.test/run';

let cluster: K8sTestCluster;
let adminCore: CoreV1Api;
let agent: NodeAgent;
let relay: Relay;
let spawner: KubernetesSpawner;

beforeAll(async () => {
  cluster = await ensureK8sCluster();
  const k8s = await import('@kubernetes/client-node');
  adminCore = cluster.admin.makeApiClient(k8s.CoreV1Api);
  await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-spawner`, gracePeriodSeconds: 0 });
  const api = new URL(cluster.info.apiUrl);
  relay = new Relay(api.hostname, Number(api.port));
  await relay.open();
  const labelSelector = `${SUITE}=k8s-spawner,${RUN_LABEL}=${RUN}`;
  agent = await startNodeAgent({ kubeConfig: cluster.admin, namespace: cluster.namespace, nodes: FAKE_GPU_NODES.map((n) => n.name), labelSelector });
  spawner = new KubernetesSpawner({
    kubeConfig: () => viaRelay(cluster.hub, relay.port),
    pod: { namespace: cluster.namespace, defaultImage: 'clusterhub.test/none', uid: 1000, gid: 1000, fsGroup: 1000, storage: null, scratch: null, extraLabels: { [SUITE]: 'k8s-spawner', [RUN_LABEL]: RUN } },
    command: ['sleep', '600'],
  });
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await spawner?.close();
  await relay?.cut();
  await agent?.stop();
  if (adminCore) await adminCore.deleteCollectionNamespacedPod({ namespace: cluster.namespace, labelSelector: `${SUITE}=k8s-spawner,${RUN_LABEL}=${RUN}`, gracePeriodSeconds: 0 });
});

const MIG: ProfileConfig = { slug: 'mig-1g', displayName: 'MIG 1g.5gb', kind: 'mig', resources: { mig: { profile: '1g.5gb' }, cpu: { guarantee: 0.1 }, memory: { guarantee: '64Mi' } } };

test('API server unreachable: polls say unknown, not stopped; the watch resumes and sees a deletion made meanwhile', async () => {
  const progress: ProgressEvent[] = [];
  const persisted: Record<string, unknown>[] = [];
  const result = await spawner.start(
    {
      user: { id: 1, name: 'dora', groups: [] },
      server: { id: 1, name: '' },
      profile: MIG,
      userOptions: {},
      prefix: '/user/dora/',
      env: { JUPYTERHUB_USER: 'dora' },
    },
    { signal: new AbortController().signal, onProgress: (e) => progress.push(e), persistHandle: async (h) => void persisted.push(h) },
  );
  expect(persisted).toEqual([result.handle]);
  expect(result.handle).toMatchObject({ namespace: cluster.namespace, pod: 'jupyter-dora' });
  expect(progress.map((e) => e.message)).toContain('Scheduled on node gpu-mig-0');
  expect(result.target).toBe(`http://${agent.ipOf('jupyter-dora') ?? ''}:8888`);
  expect(await spawner.poll(result.handle)).toEqual({ status: 'running' });

  await relay.cut();
  const unknown = await pollUntil('an unknown poll', async () => {
    const r: PollResult = await spawner.poll(result.handle);
    return r.status === 'unknown' ? r : undefined;
  }, 30_000);
  expect(unknown).toEqual({ status: 'unknown', message: 'The Kubernetes API server cannot be reached; the server is not checked now' });
  // Meanwhile the pod goes away (an admin deletes it; the node agent finishes the deletion).
  await adminCore.deleteNamespacedPod({ namespace: cluster.namespace, name: 'jupyter-dora' });
  await pollUntil('the pod to be gone', async () => (await adminCore.readNamespacedPod({ namespace: cluster.namespace, name: 'jupyter-dora' }).then(() => undefined, () => true)), 30_000);
  expect((await spawner.pollMany([result.handle]))[0]?.status).toBe('unknown');

  await relay.open();
  // Polls say unknown until the watch is back; then the pod is seen gone (perhaps first "being deleted").
  const after = await pollUntil('a poll after the watch resumed', async () => {
    const r = await spawner.poll(result.handle);
    if (r.status === 'unknown') return undefined;
    expect(r.status).toBe('stopped');
    return r.status === 'stopped' && r.message === 'The pod jupyter-dora is gone' ? r : undefined;
  }, 30_000);
  expect(after).toEqual({ status: 'stopped', message: 'The pod jupyter-dora is gone' });
});

/** A server that answers HTTP where JUPYTERHUB_SERVICE_URL says (the node agent puts the pod's address there). */
const HTTP_SERVER = [
  'python3',
  '-c',
  "import os, http.server, urllib.parse as u; a = u.urlparse(os.environ['JUPYTERHUB_SERVICE_URL']); http.server.HTTPServer((a.hostname, a.port), http.server.SimpleHTTPRequestHandler).serve_forever()",
];
const CPU: ProfileConfig = { slug: 'cpu', displayName: 'CPU', kind: 'cpu', resources: { cpu: { guarantee: 0.1 }, memory: { guarantee: '64Mi' } } };
let contractUsers = 0;

function contractSpawner(): KubernetesSpawner {
  return new KubernetesSpawner({
    kubeConfig: () => Promise.resolve(cluster.hub),
    pod: { namespace: cluster.namespace, defaultImage: 'clusterhub.test/none', uid: 1000, gid: 1000, fsGroup: 1000, storage: null, scratch: null, extraLabels: { [SUITE]: 'k8s-spawner', [RUN_LABEL]: RUN } },
    command: HTTP_SERVER,
  });
}

function contractRequest(): SpawnRequest {
  contractUsers += 1;
  const name = `contract-${RUN}-${contractUsers}`;
  return { user: { id: contractUsers, name, groups: [] }, server: { id: contractUsers, name: '' }, profile: CPU, userOptions: {}, prefix: `/user/${name}/`, env: { JUPYTERHUB_USER: name } };
}

describeSpawnerContract('KubernetesSpawner', contractSpawner, contractRequest, {
  leftovers: async (request) => {
    const pods = await adminCore.listNamespacedPod({ namespace: cluster.namespace, labelSelector: `${RUN_LABEL}=${RUN},hub.jupyter.org/username=${request.user.name}` });
    return pods.items.length;
  },
  killOutOfBand: async (handle) => {
    await adminCore.deleteNamespacedPod({ namespace: cluster.namespace, name: String(handle['pod']) });
  },
  stopTimeoutSeconds: 20,
});
