/**
 * One list+watch of the cluster's nodes and one of the live pods bound to a node (not ended), kept
 * for capacity: what is free for a profile is then computed from the caches, with no request per
 * page view. The pods are the backend namespace's (`scope: namespace`: GPUs held by other
 * namespaces' pods are not seen) or every namespace's (`scope: cluster`: one cluster-wide watch).
 * Needs `get/list/watch` on nodes (the chart's ClusterRole) and on pods in the namespace (its Role)
 * or, for `cluster`, in all namespaces (the ClusterRole with `rbac.readAllPods`). Started on first
 * use; a failed watch is started again after `retryMs`, doubling up to 10 s while it keeps failing, and until it works
 * {@link ClusterWatch.current} is false and {@link ClusterWatch.reason} says why (capacity:
 * unknown), naming the missing right when the API server refuses the read (docs/kubernetes.md, "Capacity").
 */
import type { KubeConfig, ListWatch, V1Node, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { SpawnerLogger } from '../spawner-logger';
import type { CapacityPods } from '../../config/kubernetes-backend';
import { bookmarkingWatch } from './bookmarks';
import { keepLean } from './lean-cache';
import { WatchResumer } from './watch-resumer';

/** Options of {@link ClusterWatch}. */
export interface ClusterWatchOptions {
  readonly kubeConfig: KubeConfig;
  /** The backend's namespace (its pods are counted with either scope). */
  readonly namespace: string;
  /** Whose pods are counted: the namespace's, or every namespace's (default: namespace). */
  readonly scope?: CapacityPods;
  readonly logger: SpawnerLogger;
  /** Delay before a failed list or watch is started again (ms). */
  readonly retryMs?: number;
}

/** Pods that hold node resources: bound to a node, not Succeeded, not Failed. */
const BOUND_LIVE_PODS = 'status.phase!=Succeeded,status.phase!=Failed,spec.nodeName!=';

function httpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}

/** The API server's own words of a failed call: the `message` of the Status in its body, if any. */
function statusMessage(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('body' in err)) return undefined;
  let body: unknown = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : undefined;
}

/**
 * Why a capacity watch failed, in words: a refused read names the right that is missing (and how
 * the chart grants it), then the API server's message; anything else is the error as the client
 * gave it.
 */
export function watchErrorInWords(err: unknown, what: 'nodes' | 'pods', scope: CapacityPods, namespace: string): string {
  if (httpStatus(err) !== 403) return String(err);
  const said = statusMessage(err) ?? String(err);
  if (what === 'nodes') return `the hub may not list and watch nodes (the chart's rbac.readNodes grants it): ${said}`;
  if (scope === 'cluster') {
    return `the hub may not list and watch pods in all namespaces, which kubernetes.capacityPods: cluster needs (the chart's rbac.readAllPods grants it; or set capacityPods: namespace): ${said}`;
  }
  return `the hub may not list and watch pods in its namespace ${namespace}: ${said}`;
}

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

  /** The cached bound, live pods: the namespace's, or every namespace's (scope `cluster`). */
  listPods(): readonly V1Pod[] {
    return (this.opts.scope === 'cluster' ? this.pods?.list() : this.pods?.list(this.opts.namespace)) ?? [];
  }

  private async start(): Promise<void> {
    const k8s = await import('@kubernetes/client-node');
    const kc = this.opts.kubeConfig;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const nodes = new k8s.ListWatch<V1Node>('/api/v1/nodes', bookmarkingWatch(k8s, kc), () => core.listNode(), false);
    const { namespace } = this.opts;
    const scope = this.opts.scope ?? 'namespace';
    const fieldSelector = BOUND_LIVE_PODS;
    const pods =
      scope === 'cluster'
        ? new k8s.ListWatch<V1Pod>('/api/v1/pods', bookmarkingWatch(k8s, kc), () => core.listPodForAllNamespaces({ fieldSelector }), false, undefined, fieldSelector)
        : new k8s.ListWatch<V1Pod>(`/api/v1/namespaces/${namespace}/pods`, bookmarkingWatch(k8s, kc), () => core.listNamespacedPod({ namespace, fieldSelector }), false, undefined, fieldSelector);
    keepLean(nodes);
    keepLean(pods);
    const noteError = (what: 'nodes' | 'pods') => (err: unknown): void => {
      this.lastError = watchErrorInWords(err, what, scope, namespace);
    };
    for (const [what, informer] of [
      ['nodes', nodes],
      ['pods', pods],
    ] as const) {
      // One warning per failure, not per retry: a watch that keeps being refused (a right the hub
      // lacks) is retried with a backoff (WatchResumer); the same error again after no success is only a debug line.
      let warned = '';
      informer.on('error', (err: unknown) => {
        noteError(what)(err);
        const words = this.lastError;
        // (An HTTP error's text holds the answer's headers, a date among them: the status is the key.)
        const status = httpStatus(err);
        const key = status === undefined ? words : `HTTP ${status}`;
        if (this.resumer.isUp(informer) || key !== warned) {
          warned = key;
          this.opts.logger.warn({ reason: words, scope }, `kubernetes: the ${what} watch for capacity failed; it resumes when the API server answers`);
        } else {
          this.opts.logger.debug({ err: String(err), scope }, `kubernetes: the ${what} watch for capacity failed again`);
        }
        this.resumer.failed(informer);
      });
    }
    this.nodes = nodes;
    this.pods = pods;
    await Promise.all([this.resumer.run(nodes, noteError('nodes')), this.resumer.run(pods, noteError('pods'))]);
  }

  /** Stops both watches. */
  async close(): Promise<void> {
    this.resumer.close();
    await Promise.allSettled([this.nodes?.stop(), this.pods?.stop()]);
  }
}
