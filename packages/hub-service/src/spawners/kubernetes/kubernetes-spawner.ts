import type { ProfileConfig } from '@clusterhub/shared';
import type { CoreV1Api, CoreV1Event, KubeConfig, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { abortError, sleep } from '../abort';
import { silentSpawnerLogger, type SpawnerLogger } from '../spawner-logger';
import { SpawnError, type BackendCapacity, type PollResult, type SpawnContext, type SpawnHandle, type SpawnRequest, type SpawnResult, type Spawner } from '../spawner';
import { freeFor, podRequest } from './capacity';
import type { CapacityPods } from '../../config/kubernetes-backend';
import { ClusterWatch } from './cluster-watch';
import { eventInWords, failedSchedulingInWords, scheduledNode, unschedulableMessage } from './event-words';
import { buildPod, buildUserPvc, gpuResources, nodePlacement, NOTEBOOK_PORT, type KubernetesPodSettings, type KubernetesProfileSettings, type ServerSpec } from './manifests';
import { PodWatch } from './pod-watch';
import { positionInWords, queuePosition } from './queue-position';

/** What a Kubernetes server's handle holds: the pod, by name and uid (a pod of the same name made later is another server). */
export interface KubernetesHandle {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
}

/** Reads a persisted handle; null when it is not a Kubernetes handle. */
export function kubernetesHandleOf(handle: SpawnHandle): KubernetesHandle | null {
  const { namespace, pod, uid } = handle;
  if (typeof namespace !== 'string' || typeof pod !== 'string' || typeof uid !== 'string') return null;
  return { namespace, pod, uid };
}

/** Options of {@link KubernetesSpawner}. */
export interface KubernetesSpawnerOptions {
  /** The hub's identity (its ServiceAccount in the cluster, a kubeconfig outside). */
  readonly kubeConfig: () => Promise<KubeConfig>;
  /** Namespace, image, uid, storage, … of every pod. */
  readonly pod: KubernetesPodSettings;
  /** The container's command (e.g. `["jupyterhub-singleuser"]`) and arguments. */
  readonly command: readonly string[];
  readonly args?: readonly string[];
  /** A profile's Kubernetes settings (its `kubernetes` section); default: none, the seed's rules. */
  readonly profileSettings?: (profile: ProfileConfig) => KubernetesProfileSettings;
  /** Whose pods capacity subtracts: the namespace's (default) or every namespace's (`kubernetes.capacityPods`). */
  readonly capacityPods?: CapacityPods;
  readonly logger?: SpawnerLogger;
}

const UNREACHABLE = 'The Kubernetes API server cannot be reached; the server is not checked now';

function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}

/**
 * A backend that runs each server as a pod (and keeps the user's PVC). One list+watch of the hub's
 * pods and one of their events ({@link PodWatch}) serve every server: start follows its pod there
 * (progress from the pod's events, "Scheduled on node X", why it waits in plain words) until it runs
 * with an IP; polls answer from the cache, with no request per server; `unknown` while the API server
 * cannot be reached. Stop deletes the pod (by uid) and waits until it is gone; the PVC stays. A
 * restarted hub finds its pods again by the persisted handle (namespace, name, uid).
 */
export class KubernetesSpawner implements Spawner {
  readonly kind = 'kubernetes';
  private readonly logger: SpawnerLogger;
  private watch: PodWatch | null = null;
  private cluster: ClusterWatch | null = null;
  private api: Promise<CoreV1Api> | null = null;
  private kubeConfig: Promise<KubeConfig> | null = null;

  constructor(private readonly opts: KubernetesSpawnerOptions) {
    this.logger = opts.logger ?? silentSpawnerLogger;
  }

  /** The label selector of this hub's pods: KubeSpawner's labels plus the configured extra labels. */
  get labelSelector(): string {
    const labels: Record<string, string> = { ...this.opts.pod.extraLabels, app: 'jupyterhub', component: 'singleuser-server' };
    return Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  }

  private config(): Promise<KubeConfig> {
    this.kubeConfig ??= this.opts.kubeConfig();
    return this.kubeConfig;
  }

  private core(): Promise<CoreV1Api> {
    this.api ??= (async () => {
      const k8s = await import('@kubernetes/client-node');
      return (await this.config()).makeApiClient(k8s.CoreV1Api);
    })();
    return this.api;
  }

  /** The shared watch, started (lists first); throws SpawnError when the API server does not answer. */
  private async started(): Promise<PodWatch> {
    const kubeConfig = await this.config();
    // Created once, after the await: concurrent first calls share it.
    this.watch ??= new PodWatch({ kubeConfig, namespace: this.opts.pod.namespace, labelSelector: this.labelSelector, logger: this.logger });
    const watch = this.watch;
    try {
      await watch.ensureStarted();
    } catch (err) {
      throw new SpawnError(`The Kubernetes API server cannot be reached (${String(err)})`);
    }
    return watch;
  }

  async start(request: SpawnRequest, ctx: SpawnContext): Promise<SpawnResult> {
    const { signal } = ctx;
    if (signal.aborted) throw abortError(signal);
    const watch = await this.started();
    const core = await this.core();
    const namespace = this.opts.pod.namespace;
    const spec: ServerSpec = {
      userName: request.user.name,
      serverName: request.server.name,
      profile: request.profile,
      kubernetes: this.opts.profileSettings?.(request.profile) ?? {},
      // As KubeSpawner: the server listens on all addresses of its pod, at the notebook port.
      environment: { ...request.env, JUPYTERHUB_SERVICE_URL: `http://0.0.0.0:${NOTEBOOK_PORT}${request.prefix}` },
      command: this.opts.command,
      ...(this.opts.args ? { args: this.opts.args } : {}),
    };
    const pvc = buildUserPvc(this.opts.pod, spec);
    try {
      if (pvc) await this.ensurePvc(core, pvc);
    } catch (err) {
      throw new SpawnError(`Cannot create the storage volume claim ${pvc?.metadata?.name ?? ''}: ${String(err)}`);
    }
    const manifest = buildPod(this.opts.pod, spec);
    const name = manifest.metadata?.name ?? '';
    const created = await this.createPod(core, manifest, signal);
    const handle: KubernetesHandle = { namespace, pod: name, uid: created.metadata?.uid ?? '' };
    await ctx.persistHandle?.({ ...handle });
    ctx.onProgress({ progress: 10, message: `Pod ${name} created; waiting for the scheduler` });
    return this.waitRunning(watch, handle, ctx);
  }

  private async ensurePvc(core: CoreV1Api, pvc: NonNullable<ReturnType<typeof buildUserPvc>>): Promise<void> {
    const namespace = this.opts.pod.namespace;
    try {
      await core.readNamespacedPersistentVolumeClaim({ namespace, name: pvc.metadata?.name ?? '' });
      return;
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
    try {
      await core.createNamespacedPersistentVolumeClaim({ namespace, body: pvc });
    } catch (err) {
      if (httpStatus(err) !== 409) throw err;
    }
  }

  /** Creates the pod; a leftover pod of the same name (an earlier start of this server) is deleted first. */
  private async createPod(core: CoreV1Api, pod: V1Pod, signal: AbortSignal): Promise<V1Pod> {
    const namespace = this.opts.pod.namespace;
    const name = pod.metadata?.name ?? '';
    for (let attempt = 0; ; attempt++) {
      try {
        return await core.createNamespacedPod({ namespace, body: pod });
      } catch (err) {
        const status = httpStatus(err);
        if (status !== 409 || attempt > 0) {
          const body = typeof err === 'object' && err !== null && 'body' in err ? String(err.body) : String(err);
          throw new SpawnError(`The cluster refused the pod ${name}: ${body.slice(0, 500)}`);
        }
      }
      const old = await core.readNamespacedPod({ namespace, name }).catch(() => null);
      if (old?.metadata?.uid) await this.deleteAndWait({ namespace, pod: name, uid: old.metadata.uid }, 60, signal);
    }
  }

  private waitRunning(watch: PodWatch, handle: KubernetesHandle, ctx: SpawnContext): Promise<SpawnResult> {
    const { signal } = ctx;
    return new Promise<SpawnResult>((resolve, reject) => {
      const seen = new Set<string>();
      let done = false;
      // Where the pod went is said once: from its Scheduled event or from the pod itself, whichever comes first.
      let placed = false;
      const reportPlacement = (node: string): void => {
        if (placed) return;
        placed = true;
        ctx.onProgress({ progress: 40, message: `Scheduled on node ${node}` });
      };
      // Why it waits, from its FailedScheduling events and from its PodScheduled condition (the
      // scheduler's latest verdict, which an event can miss: see unschedulableMessage); a text is said once in a row.
      let lastWaiting = '';
      const reportWaiting = (words: string): void => {
        if (words === lastWaiting) return;
        lastWaiting = words;
        ctx.onProgress({ progress: 20, message: words });
      };
      const finish = (fn: () => void): void => {
        if (done) return;
        done = true;
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onEvent = (event: CoreV1Event): void => {
        const id = event.metadata.uid ?? `${event.reason ?? ''}:${event.message ?? ''}`;
        if (event.involvedObject.uid !== handle.uid || seen.has(id)) return;
        seen.add(id);
        const pod = watch.get(handle.pod);
        if (event.reason === 'Scheduled') {
          const node = scheduledNode(event) ?? pod?.spec?.nodeName;
          if (node) reportPlacement(node);
          return;
        }
        if (event.reason !== 'FailedScheduling') {
          ctx.onProgress({ progress: 20, message: eventInWords(event, pod) });
          return;
        }
        // A late or folded event can be older than what the pod's condition says now.
        const verdict = unschedulableMessage(pod) ?? event.message ?? '';
        reportWaiting(failedSchedulingInWords(verdict, pod) + (pod ? positionInWords(queuePosition(pod, watch.list())) : ''));
      };
      const onPod = (pod: V1Pod | null | undefined): void => {
        if (pod && pod.metadata?.uid !== handle.uid) return;
        if (pod === null) return finish(() => reject(new SpawnError(`The pod ${handle.pod} was deleted before its server started`)));
        if (!pod) return;
        if (pod.spec?.nodeName) reportPlacement(pod.spec.nodeName);
        const verdict = unschedulableMessage(pod);
        if (verdict) reportWaiting(failedSchedulingInWords(verdict, pod) + positionInWords(queuePosition(pod, watch.list())));
        const phase = pod.status?.phase;
        const ip = pod.status?.podIP;
        if (phase === 'Running' && ip) {
          ctx.onProgress({ progress: 80, message: `The pod runs on node ${pod.spec?.nodeName ?? '?'} at ${ip}` });
          return finish(() => resolve({ handle: { ...handle }, target: `http://${ip.includes(':') ? `[${ip}]` : ip}:${NOTEBOOK_PORT}` }));
        }
        if (phase === 'Failed' || phase === 'Succeeded') return finish(() => reject(new SpawnError(`The pod ${handle.pod} ended before its server started: ${exitText(pod)}`)));
      };
      const onAbort = (): void =>
        finish(() => {
          this.deleteAndWait(handle, 30).then(
            () => reject(abortError(signal)),
            () => reject(abortError(signal)),
          );
        });
      const unsubscribe = watch.subscribe(handle.pod, (s) => (s.type === 'pod' ? onPod(s.pod) : onEvent(s.event)));
      signal.addEventListener('abort', onAbort, { once: true });
      for (const event of watch.eventsOf(handle.uid)) onEvent(event);
      onPod(watch.get(handle.pod));
      if (signal.aborted) onAbort();
    });
  }

  async poll(handle: SpawnHandle): Promise<PollResult> {
    const [result] = await this.pollMany([handle]);
    return result ?? { status: 'unknown', message: UNREACHABLE };
  }

  async pollMany(handles: readonly SpawnHandle[]): Promise<PollResult[]> {
    let watch: PodWatch;
    try {
      watch = await this.started();
    } catch {
      return handles.map(() => ({ status: 'unknown', message: UNREACHABLE }));
    }
    if (!watch.healthy) return handles.map(() => ({ status: 'unknown', message: UNREACHABLE }));
    return handles.map((h) => {
      const handle = kubernetesHandleOf(h);
      if (!handle) return { status: 'stopped', message: 'Not a Kubernetes server' };
      return pollResultOf(watch.get(handle.pod), handle, watch);
    });
  }

  async stop(handle: SpawnHandle, opts: { timeoutSeconds: number }): Promise<void> {
    const h = kubernetesHandleOf(handle);
    if (!h) return;
    await this.deleteAndWait(h, opts.timeoutSeconds);
  }

  /** Deletes the pod with `uid` (not a newer one of the same name) and waits until it is gone; forces it after `timeoutSeconds`. */
  private async deleteAndWait(handle: KubernetesHandle, timeoutSeconds: number, signal?: AbortSignal): Promise<void> {
    const core = await this.core();
    const watch = await this.started();
    const del = async (gracePeriodSeconds?: number): Promise<boolean> => {
      try {
        await core.deleteNamespacedPod({
          namespace: handle.namespace,
          name: handle.pod,
          ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
          body: { preconditions: { uid: handle.uid }, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) },
        });
        return true;
      } catch (err) {
        const status = httpStatus(err);
        // 404: gone; 409: the name now belongs to another pod, so this one is gone.
        if (status === 404 || status === 409) return false;
        throw new SpawnError(`Cannot delete the pod ${handle.pod}: ${String(err)}`);
      }
    };
    if (!(await del())) return;
    if (await this.gone(watch, handle, timeoutSeconds * 1000, signal)) return;
    this.logger.warn({ pod: handle.pod }, 'kubernetes: the pod did not end in time; deleting it at once');
    if (!(await del(0))) return;
    await this.gone(watch, handle, 10_000, signal);
  }

  private async gone(watch: PodWatch, handle: KubernetesHandle, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (watch.healthy && watch.get(handle.pod)?.metadata?.uid !== handle.uid) return true;
      await sleep(200, signal).catch(() => undefined);
      if (signal?.aborted) return false;
    }
    return false;
  }

  /**
   * What is free for the profile's GPUs or MIG slices: node allocatable minus the requests of the
   * pods bound there (the namespace's, or every namespace's with `capacityPods: cluster`), on the
   * nodes its pods may use, from one watch of the nodes and one of the bound live pods (started on
   * first use; no request afterwards); `waiting`
   * counts this hub's pods not yet scheduled that ask for the same resource.
   */
  async capacity(profile: ProfileConfig): Promise<BackendCapacity | null> {
    const spec = { profile, kubernetes: this.opts.profileSettings?.(profile) ?? {} };
    const [entry] = Object.entries(gpuResources(spec));
    if (!entry) return null;
    const [resource, quantity] = entry;
    const perServer = Number(quantity);
    let kubeConfig: KubeConfig;
    try {
      kubeConfig = await this.config();
    } catch (err) {
      return { resource, perServer, free: null, fits: null, waiting: 0, reason: `no Kubernetes connection: ${String(err)}` };
    }
    const ours = this.watch?.healthy ? this.watch.list() : [];
    const waiting = ours.filter((pod) => !pod.spec?.nodeName && pod.status?.phase === 'Pending' && podRequest(pod, resource) > 0).length;
    this.cluster ??= new ClusterWatch({ kubeConfig, namespace: this.opts.pod.namespace, scope: this.opts.capacityPods ?? 'namespace', logger: this.logger });
    await this.cluster.ensureStarted();
    if (!this.cluster.current) return { resource, perServer, free: null, fits: null, waiting, reason: `the hub cannot watch the cluster's nodes and pods: ${this.cluster.reason}` };
    const { free, fits } = freeFor(this.cluster.listNodes(), this.cluster.listPods(), resource, perServer, nodePlacement(spec));
    return { resource, perServer, free, fits, waiting };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.watch?.close(), this.cluster?.close()]);
  }
}

function exitText(pod: V1Pod): string {
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  if (terminated) return `exit code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}${terminated.message ? `: ${terminated.message}` : ''}`;
  return pod.status?.message ?? pod.status?.reason ?? pod.status?.phase ?? 'unknown';
}

/** A poll answer from the cached pod (undefined: not in the cache, so gone). */
function pollResultOf(pod: V1Pod | undefined, handle: KubernetesHandle, watch: PodWatch): PollResult {
  if (!pod || pod.metadata?.uid !== handle.uid) return { status: 'stopped', message: `The pod ${handle.pod} is gone` };
  if (pod.metadata.deletionTimestamp) return { status: 'stopped', message: `The pod ${handle.pod} is being deleted` };
  switch (pod.status?.phase) {
    case 'Running':
      return { status: 'running' };
    case 'Succeeded':
    case 'Failed':
      return { status: 'stopped', exitCode: pod.status.containerStatuses?.[0]?.state?.terminated?.exitCode ?? null, message: `The pod ended: ${exitText(pod)}` };
    case 'Pending': {
      // The pod's condition is the scheduler's latest verdict; its last event may hold an older text.
      const verdict =
        unschedulableMessage(pod) ??
        watch
          .eventsOf(handle.uid)
          .filter((e) => e.reason === 'FailedScheduling')
          .at(-1)?.message;
      return { status: 'pending', message: verdict !== undefined ? failedSchedulingInWords(verdict, pod) + positionInWords(queuePosition(pod, watch.list())) : 'Waiting for the pod to start' };
    }
    default:
      return { status: 'unknown', message: `The node of pod ${handle.pod} does not report its state` };
  }
}
