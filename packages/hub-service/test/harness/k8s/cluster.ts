/**
 * The real Kubernetes test control plane (etcd 3.7.3, kube-apiserver and kube-scheduler v1.37.2,
 * built from the Go module proxy by `scripts/k8s/build.sh` and cached outside the repository),
 * started by `scripts/k8s/cluster.sh` on free loopback ports under `<repo>/.cache/k8s/` once per
 * machine session and shared by every test file and jest worker (the scripts hold lock files; a
 * running healthy cluster is reused). On top of it this harness creates, through the API, the test
 * namespace with its `default` ServiceAccount, the hub identity's RBAC, the `nvidia` RuntimeClass and
 * three fake GPU nodes (see ./objects.ts). No kubelet runs: pods are bound by the real scheduler but
 * never started. Test tooling; see docs/kubernetes-testing.md.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { REPO_ROOT } from '../repo-paths';
import { bootstrapTestObjects, TEST_NAMESPACE } from './objects';

/**
 * How long a test may wait for the binaries: a cold build takes 10–15 minutes on a busy 2-core
 * machine, and `scripts/test-all.sh` starts it in the background before the tests.
 */
export const K8S_BUILD_DEADLINE_MS = 30 * 60_000;
/** How long starting (or reusing) the control plane may take. */
export const K8S_START_DEADLINE_MS = 180_000;
/** A timeout for a jest `beforeAll` that calls {@link ensureK8sCluster} (build + start). */
export const K8S_SETUP_TIMEOUT_MS = K8S_BUILD_DEADLINE_MS + K8S_START_DEADLINE_MS + 60_000;

/** What `scripts/k8s/cluster.sh start` wrote into `cluster.json`. */
export interface K8sClusterInfo {
  readonly apiUrl: string;
  readonly caFile: string;
  readonly adminKubeconfig: string;
  readonly hubKubeconfig: string;
  /** The user name of the restricted hub identity (RBAC in {@link TEST_NAMESPACE} only). */
  readonly hubUser: string;
  readonly runDir: string;
}

/** A running test cluster and clients for its two identities. */
export interface K8sTestCluster {
  readonly info: K8sClusterInfo;
  /** The namespace the hub identity may manage. */
  readonly namespace: string;
  /** A cluster admin (`system:masters`). */
  readonly admin: KubeConfig;
  /** The restricted hub identity: pods, PVCs, services, secrets, events in {@link namespace}; reads nodes. */
  readonly hub: KubeConfig;
}

const SCRIPTS = path.join(REPO_ROOT, 'scripts', 'k8s');

let ensured: Promise<K8sTestCluster> | null = null;

/**
 * Waits for the binaries (the build `scripts/test-all.sh` started, or builds them here when nothing
 * did: `build.sh` is idempotent and locked, so a second caller waits for the first and then finds
 * them), starts the control plane or reuses the running one, and creates the test objects.
 * One call per process does the work; later calls share its promise.
 */
export function ensureK8sCluster(): Promise<K8sTestCluster> {
  if (!ensured) {
    ensured = start();
    ensured.catch(() => {
      ensured = null;
    });
  }
  return ensured;
}

/** Stops the control plane (every process `cluster.sh` started, by pid) and removes its state. */
export async function stopK8sCluster(): Promise<void> {
  ensured = null;
  await runScript('cluster.sh', ['stop'], 60_000);
}

async function start(): Promise<K8sTestCluster> {
  await runScript('build.sh', [], K8S_BUILD_DEADLINE_MS);
  const jsonPath = (await runScript('cluster.sh', ['start'], K8S_START_DEADLINE_MS)).trim();
  const info = parseClusterInfo(await readFile(jsonPath, 'utf8'));
  const k8s = await import('@kubernetes/client-node');
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(info.adminKubeconfig);
  const hub = new k8s.KubeConfig();
  hub.loadFromFile(info.hubKubeconfig);
  await bootstrapTestObjects(admin, info.hubUser);
  return { info, namespace: TEST_NAMESPACE, admin, hub };
}

function runScript(name: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(SCRIPTS, name), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`scripts/k8s/${name} ${args.join(' ')} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().slice(-4000)}`));
    });
  });
}

/** Reads `cluster.json`; throws naming the first missing field. */
export function parseClusterInfo(text: string): K8sClusterInfo {
  const o: unknown = JSON.parse(text);
  if (typeof o !== 'object' || o === null) throw new Error('cluster.json is not an object');
  const rec = o as Record<string, unknown>;
  const field = (key: string): string => {
    const v = rec[key];
    if (typeof v !== 'string' || v === '') throw new Error(`cluster.json: ${key} is missing`);
    return v;
  };
  return {
    apiUrl: field('apiUrl'),
    caFile: field('caFile'),
    adminKubeconfig: field('adminKubeconfig'),
    hubKubeconfig: field('hubKubeconfig'),
    hubUser: field('hubUser'),
    runDir: field('runDir'),
  };
}
