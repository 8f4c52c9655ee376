/**
 * A test node agent (test tooling, not a kubelet): it plays the node for the pods the real
 * scheduler binds to the fake GPU nodes. For each such pod of its label selector it runs the
 * container's command as a local process — as the pod's `runAsUser` (when the agent runs as root),
 * with the pod's env, in a fresh home folder, on a loopback address of its own that stands for the
 * pod IP (`0.0.0.0` in `JUPYTERHUB_SERVICE_URL` becomes that address, as a pod's own network would
 * make it) — records a `Started` event, and PATCHes `pods/status` (Running, podIP, Ready,
 * containerStatuses). A process that ends makes the pod Failed or Succeeded with its exit code. On
 * deletion it ends the process (TERM, then KILL after 5 s) and finishes the deletion as a kubelet
 * does: DELETE with `gracePeriodSeconds: 0` and the pod's uid as precondition. It also binds the
 * claims of its label selector to hostPath PVs it creates (no controller-manager runs), so pods
 * with a per-user PVC can be scheduled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chownSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreV1Api, KubeConfig, ListWatch, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { httpStatus } from './objects';

type K8sModule = Awaited<typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } })>;

/** Options of {@link startNodeAgent}. */
export interface NodeAgentOptions {
  /** An identity that may patch pod status, delete pods and create events (the test admin). */
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The nodes this agent plays. */
  readonly nodes: readonly string[];
  /** Only pods with these labels (one agent per test file: the files share the nodes). */
  readonly labelSelector: string;
}

/** A running agent. */
export interface NodeAgent {
  /** The address the agent gave a pod (its podIP), by pod name. */
  ipOf(podName: string): string | undefined;
  /** The local process of a running pod, by pod name. */
  pidOf(podName: string): number | undefined;
  /** The log file (stdout and stderr) of a pod's process. */
  logOf(podName: string): string | undefined;
  /** Stops watching and ends every process it started (pods are left to the test's cleanup). */
  stop(): Promise<void>;
}

interface Running {
  readonly uid: string;
  readonly child: ChildProcess;
  readonly ip: string;
  readonly home: string;
  readonly log: string;
  exited: boolean;
  deleting: boolean;
}

/** Starts an agent for `opts.nodes`; resolves once it listed the pods. */
export async function startNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const k8s = await import('@kubernetes/client-node');
  const core = opts.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const { namespace } = opts;
  const byName = new Map<string, Running>();
  const finishing = new Set<string>();
  const net = `127.${randomInt(1, 250)}.${randomInt(1, 250)}`;
  let nextHost = 2;
  let stopped = false;

  const patchStatus = (name: string, status: object): Promise<unknown> =>
    core.patchNamespacedPodStatus({ name, namespace, body: { status } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));

  const finishDeletion = async (pod: V1Pod): Promise<void> => {
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    if (finishing.has(uid)) return;
    finishing.add(uid);
    const run = byName.get(name);
    if (run && run.uid === uid) {
      run.deleting = true;
      await endProcess(run);
      byName.delete(name);
    }
    try {
      await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
    } catch (err) {
      if (httpStatus(err) !== 404 && httpStatus(err) !== 409) throw err;
    }
  };

  const runPod = async (pod: V1Pod): Promise<void> => {
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid ?? '';
    const container = pod.spec?.containers[0];
    if (!container?.command?.length) return;
    const ip = `${net}.${nextHost++}`;
    const runAs = container.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
    const runAsGroup = container.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup ?? runAs;
    const asRoot = process.getuid?.() === 0;
    const home = mkdtempSync(join(tmpdir(), 'k8s-agent-home-'));
    if (asRoot && runAs !== undefined) chownSync(home, runAs, runAsGroup ?? runAs);
    const log = join(home, 'pod.log');
    const fd = openSync(log, 'a', 0o644);
    if (asRoot && runAs !== undefined) chownSync(log, runAs, runAsGroup ?? runAs);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, USER: 'jovyan', LANG: 'C.UTF-8' };
    for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    if (env.JUPYTERHUB_SERVICE_URL) env.JUPYTERHUB_SERVICE_URL = env.JUPYTERHUB_SERVICE_URL.replace('//0.0.0.0:', `//${ip}:`);
    const child = spawn(container.command[0] ?? '', [...container.command.slice(1), ...(container.args ?? [])], {
      env,
      cwd: home,
      detached: true,
      stdio: ['ignore', fd, fd],
      ...(asRoot && runAs !== undefined ? { uid: runAs, gid: runAsGroup ?? runAs } : {}),
    });
    closeSync(fd);
    const run: Running = { uid, child, ip, home, log, exited: false, deleting: false };
    byName.set(name, run);
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      run.exited = true;
      if (run.deleting || stopped) return;
      const exitCode = code ?? 128;
      void patchStatus(name, {
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: new Date() }],
        containerStatuses: [{ name: container.name, image: container.image ?? '', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode, reason: signal ? `killed by ${signal}` : exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date() } } }],
      }).catch(() => undefined);
    });
    const now = new Date();
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${name}.` },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace, uid },
        reason: 'Started',
        message: `Started container ${container.name} (test node agent, pid ${String(child.pid)})`,
        type: 'Normal',
        source: { component: 'kubelet', host: pod.spec?.nodeName ?? '' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
    const ready = [
      { type: 'Initialized', status: 'True', lastTransitionTime: now },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: 'True', lastTransitionTime: now },
    ];
    await patchStatus(name, {
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      conditions: ready,
      containerStatuses: [{ name: container.name, image: container.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } }],
    });
  };

  const handle = (pod: V1Pod): void => {
    if (stopped) return;
    const name = pod.metadata?.name ?? '';
    if (!opts.nodes.includes(pod.spec?.nodeName ?? '')) return;
    if (pod.metadata?.deletionTimestamp) {
      void finishDeletion(pod).catch(() => undefined);
      return;
    }
    if (pod.status?.phase !== 'Pending' || byName.get(name)?.uid === pod.metadata?.uid) return;
    void runPod(pod).catch(() => undefined);
  };

  const informer: ListWatch<V1Pod> = new k8s.ListWatch<V1Pod>(
    `/api/v1/namespaces/${namespace}/pods`,
    new k8s.Watch(opts.kubeConfig),
    () => core.listNamespacedPod({ namespace, labelSelector: opts.labelSelector }),
    false,
    opts.labelSelector,
  );
  informer.on('add', handle);
  informer.on('update', handle);
  informer.on('delete', (pod: V1Pod) => {
    const run = byName.get(pod.metadata?.name ?? '');
    if (run && run.uid === pod.metadata?.uid) {
      run.deleting = true;
      void endProcess(run);
      byName.delete(pod.metadata?.name ?? '');
    }
  });
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
  });
  await informer.start();

  // No controller-manager runs: the agent also plays the volume binder for its claims.
  const claims: ListWatch<V1PersistentVolumeClaim> = new k8s.ListWatch<V1PersistentVolumeClaim>(
    `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
    new k8s.Watch(opts.kubeConfig),
    () => core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector: opts.labelSelector }),
    false,
    opts.labelSelector,
  );
  const binding = new Set<string>();
  const bind = (pvc: V1PersistentVolumeClaim): void => {
    const uid = pvc.metadata?.uid ?? '';
    if (stopped || pvc.metadata?.deletionTimestamp || pvc.status?.phase === 'Bound' || binding.has(uid)) return;
    binding.add(uid);
    void bindClaim(core, k8s, pvc, opts.labelSelector).catch((err: unknown) => {
      binding.delete(uid);
      process.stderr.write(`node agent: cannot bind ${pvc.metadata?.name ?? ''}: ${String(err)}\n`);
    });
  };
  claims.on('add', bind);
  claims.on('update', bind);
  claims.on('error', () => {
    if (!stopped) setTimeout(() => void claims.start().catch(() => undefined), 500);
  });
  await claims.start();

  return {
    ipOf: (name) => byName.get(name)?.ip,
    pidOf: (name) => byName.get(name)?.child.pid,
    logOf: (name) => byName.get(name)?.log,
    async stop() {
      stopped = true;
      await Promise.all([informer.stop(), claims.stop()]);
      await Promise.all([...byName.values()].map((run) => endProcess(run)));
      byName.clear();
    },
  };
}

/** Ends a pod's process group: TERM, then KILL after 5 s; removes its home folder. */
async function endProcess(run: Running): Promise<void> {
  const pid = run.child.pid;
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  if (!run.exited) {
    signalGroup('SIGTERM');
    const deadline = Date.now() + 5000;
    while (!run.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!run.exited) signalGroup('SIGKILL');
    while (!run.exited) await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(run.home, { recursive: true, force: true });
}

/**
 * Binds a claim as the PV controller would: a hostPath PV made for it (labelled like the claim, so
 * tests can remove it), the claim's volumeName and its bind-completed annotation (the scheduler
 * counts a claim as bound only with it), both statuses Bound. The path is never mounted. The PV
 * comes first, as from a provisioner: its arrival may requeue a waiting pod before the claim is
 * bound, so a pod can fail twice on "unbound immediate PersistentVolumeClaims" as in a real cluster
 * (docs/kubernetes-testing.md: why a pod waits).
 */
async function bindClaim(core: CoreV1Api, k8s: K8sModule, pvc: V1PersistentVolumeClaim, labelSelector: string): Promise<void> {
  const name = pvc.metadata?.name ?? '';
  const namespace = pvc.metadata?.namespace ?? '';
  const uid = pvc.metadata?.uid ?? '';
  const pvName = `pv-${uid}`;
  const labels = Object.fromEntries(labelSelector.split(',').map((kv) => kv.split('=') as [string, string]));
  const size = pvc.spec?.resources?.requests?.storage ?? '1Gi';
  const accessModes = pvc.spec?.accessModes ?? ['ReadWriteOnce'];
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  try {
    await core.createPersistentVolume({
      body: {
        metadata: { name: pvName, labels },
        spec: {
          capacity: { storage: size },
          accessModes,
          hostPath: { path: join(tmpdir(), pvName) },
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: pvc.spec?.storageClassName ?? '',
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
        },
      },
    });
  } catch (err) {
    if (httpStatus(err) !== 409) throw err;
  }
  await core.patchNamespacedPersistentVolumeClaim({ name, namespace, body: { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { volumeName: pvName } } }, merge);
  await core.patchNamespacedPersistentVolumeClaimStatus({ name, namespace, body: { status: { phase: 'Bound', accessModes, capacity: { storage: size } } } }, merge);
  await core.patchPersistentVolumeStatus({ name: pvName, body: { status: { phase: 'Bound' } } }, merge);
}
