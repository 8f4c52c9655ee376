import type { CoreV1Event, KubeConfig, ListWatch, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { SpawnerLogger } from '../spawner-logger';
import { bookmarkingWatch } from './bookmarks';
import { keepLean } from './lean-cache';
import { WatchResumer } from './watch-resumer';

/** A pod change or a pod's event, as {@link PodWatch} hands it to subscribers. */
export type PodSignal = { readonly type: 'pod'; readonly pod: V1Pod | null } | { readonly type: 'event'; readonly event: CoreV1Event };

/** Options of {@link PodWatch}. */
export interface PodWatchOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** Selects the hub's pods (e.g. `component=singleuser-server,app=jupyterhub`). */
  readonly labelSelector: string;
  readonly logger: SpawnerLogger;
  /** Delay before a failed list or watch is started again (ms), doubled up to 10 s while it keeps failing. */
  readonly retryMs?: number;
}

/**
 * The one list+watch of the hub's pods and of the namespace's pod events, shared by every server
 * of a Kubernetes backend: polls answer from its cache (no request per server), starts follow
 * their pod and its events through {@link subscribe}. Started on first use; a watch that fails is
 * listed and watched again after `retryMs` (then longer, up to 10 s, while it keeps failing), and until then {@link healthy} is false (polls then say
 * `unknown`, never `stopped`).
 */
export class PodWatch {
  private pods: ListWatch<V1Pod> | null = null;
  private events: ListWatch<CoreV1Event> | null = null;
  private starting: Promise<void> | null = null;
  private readonly listeners = new Map<string, Set<(s: PodSignal) => void>>();
  private readonly resumer: WatchResumer;

  constructor(private readonly opts: PodWatchOptions) {
    this.resumer = new WatchResumer(opts.retryMs ?? 1000);
  }

  /** True while the pod watch is connected and its cache current. */
  get healthy(): boolean {
    return this.pods !== null && this.resumer.isUp(this.pods);
  }

  /** Starts both watches once (lists first); rejects when the first list of pods fails. */
  ensureStarted(): Promise<void> {
    if (!this.starting) {
      this.starting = this.start();
      this.starting.catch(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  private async start(): Promise<void> {
    const k8s = await import('@kubernetes/client-node');
    const { kubeConfig: kc, namespace, labelSelector } = this.opts;
    if (!this.pods || !this.events) {
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const fieldSelector = 'involvedObject.kind=Pod';
      const pods = new k8s.ListWatch<V1Pod>(`/api/v1/namespaces/${namespace}/pods`, bookmarkingWatch(k8s, kc), () => core.listNamespacedPod({ namespace, labelSelector }), false, labelSelector);
      const events = new k8s.ListWatch<CoreV1Event>(`/api/v1/namespaces/${namespace}/events`, bookmarkingWatch(k8s, kc), () => core.listNamespacedEvent({ namespace, fieldSelector }), false, undefined, fieldSelector);
      keepLean(pods);
      keepLean(events);
      const onPod = (pod: V1Pod): void => this.emit(pod.metadata?.name ?? '', { type: 'pod', pod });
      pods.on('add', onPod);
      pods.on('update', onPod);
      pods.on('delete', (pod: V1Pod) => this.emit(pod.metadata?.name ?? '', { type: 'pod', pod: null }));
      pods.on('error', (err: unknown) => {
        this.opts.logger.warn({ err: String(err) }, 'kubernetes: the pod watch failed; it resumes when the API server answers');
        this.resumer.failed(pods);
      });
      events.on('add', (event: CoreV1Event) => this.emit(event.involvedObject.name ?? '', { type: 'event', event }));
      events.on('error', () => this.resumer.failed(events));
      this.pods = pods;
      this.events = events;
    }
    if (!(await this.resumer.run(this.pods))) throw new Error(`cannot list the pods of namespace ${namespace}`);
    await this.resumer.run(this.events);
  }

  private emit(podName: string, signal: PodSignal): void {
    for (const cb of this.listeners.get(podName) ?? []) cb(signal);
  }

  /** The cached pod named `name`; undefined when the cache has none. */
  get(name: string): V1Pod | undefined {
    return this.pods?.get(name, this.opts.namespace);
  }

  /** Every cached pod of the hub. */
  list(): readonly V1Pod[] {
    return this.pods?.list(this.opts.namespace) ?? [];
  }

  /** The cached events of the pod with `uid`, oldest first. */
  eventsOf(uid: string): CoreV1Event[] {
    return (this.events?.list(this.opts.namespace) ?? []).filter((e) => e.involvedObject.uid === uid);
  }

  /** Calls `cb` on every change of the pod `name` and on its new events; returns the unsubscribe. */
  subscribe(name: string, cb: (s: PodSignal) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(cb);
    return () => {
      set.delete(cb);
      if (set.size === 0) this.listeners.delete(name);
    };
  }

  /** Stops both watches. */
  async close(): Promise<void> {
    this.resumer.close();
    await Promise.allSettled([this.pods?.stop(), this.events?.stop()]);
  }
}
