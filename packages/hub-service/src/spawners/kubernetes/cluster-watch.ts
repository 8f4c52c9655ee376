/**
 * One list+watch of the cluster's nodes and one of the live pods (not ended) of the backend's
 * namespace, kept for capacity: what is free for a profile is then computed from the caches, with
 * no request per page view. Needs `get/list/watch` on nodes (the chart's ClusterRole, limited to
 * reading nodes) and on pods in the namespace (its Role). GPUs held by pods of OTHER namespaces are
 * not seen (docs/kubernetes.md, "Capacity"). Started on first use; a failed watch is started again
 * after `retryMs`, and until it works {@link ClusterWatch.current} is false (capacity: unknown).
 */
import type { KubeConfig, ListWatch, V1Node, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { SpawnerLogger } from '../spawner-logger';
import { keepLean } from './lean-cache';
import { WatchResumer } from './watch-resumer';

/** Options of {@link ClusterWatch}. */
export interface ClusterWatchOptions {
  readonly kubeConfig: KubeConfig;
  /** The namespace whose pods are counted (the backend's). */
  readonly namespace: string;
  readonly logger: SpawnerLogger;
  /** Delay before a failed list or watch is started again (ms). */
  readonly retryMs?: number;
}

/** Pods that hold (or wait for) node resources: not Succeeded, not Failed. */
const LIVE_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

/** See the module comment. */
export class ClusterWatch {
  private nodes: ListWatch<V1Node> | null = null;
  private pods: ListWatch<V1Pod> | null = null;
  private starting: Promise<void> | null = null;
  private readonly resumer: WatchResumer;
  private lastError = '';

  constructor(private readonly opts: ClusterWatchOptions) {
    this.resumer = new WatchResumer(opts.retryMs ?? 1000);
  }

  /** True while both watches are connected and their caches current. */
  get current(): boolean {
    return this.nodes !== null && this.pods !== null && this.resumer.isUp(this.nodes) && this.resumer.isUp(this.pods);
  }

  /** Why the caches are not current (the last watch error); empty when they are. */
  get reason(): string {
    return this.current ? '' : this.lastError || 'the cluster watch has not started';
  }

  /** Starts both watches once; resolves when both listed (or failed: see {@link current}). */
  ensureStarted(): Promise<void> {
    this.starting ??= this.start();
    return this.starting;
  }

  /** The cached nodes. */
  listNodes(): readonly V1Node[] {
    return this.nodes?.list() ?? [];
  }

  /** The cached live pods of the namespace. */
  listPods(): readonly V1Pod[] {
    return this.pods?.list(this.opts.namespace) ?? [];
  }

  private async start(): Promise<void> {
    const k8s = await import('@kubernetes/client-node');
    const kc = this.opts.kubeConfig;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nodes = new k8s.ListWatch<V1Node>('/api/v1/nodes', new k8s.Watch(kc), () => core.listNode(), false);
    const { namespace } = this.opts;
    const pods = new k8s.ListWatch<V1Pod>(`/api/v1/namespaces/${namespace}/pods`, new k8s.Watch(kc), () => core.listNamespacedPod({ namespace, fieldSelector: LIVE_PODS }), false, undefined, LIVE_PODS);
    keepLean(nodes);
    keepLean(pods);
    for (const informer of [nodes, pods] as const) {
      informer.on('error', (err: unknown) => {
        this.lastError = String(err);
        this.opts.logger.warn({ err: String(err) }, 'kubernetes: the node/pod watch for capacity failed; it resumes when the API server answers');
        this.resumer.failed(informer);
      });
    }
    this.nodes = nodes;
    this.pods = pods;
    const onError = (err: unknown): void => {
      this.lastError = String(err);
    };
    await Promise.all([this.resumer.run(nodes, onError), this.resumer.run(pods, onError)]);
  }

  /** Stops both watches. */
  async close(): Promise<void> {
    this.resumer.close();
    await Promise.allSettled([this.nodes?.stop(), this.pods?.stop()]);
  }
}
