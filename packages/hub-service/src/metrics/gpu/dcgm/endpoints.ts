/**
 * The dcgm-exporter endpoints of one sampling round: the configured URLs, or the running exporter
 * pods listed through the API server (one list per round, by namespace and label selector), each
 * with the node it reports for, so a failed scrape can be said per node.
 */
import type { CoreV1Api, KubeConfig, V1Pod, V1PodList } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ResolvedDcgmExporter } from '../../../config/dcgm-exporter';

/** One exporter to scrape. */
export interface DcgmEndpoint {
  /** Its metrics URL. */
  readonly url: string;
  /** The node it reports for (a discovered pod's node; for a configured URL, its host and port). */
  readonly node: string;
}

/** The endpoints of configured URLs, one per distinct URL. */
export function urlEndpoints(urls: readonly string[]): DcgmEndpoint[] {
  return [...new Set(urls)].map((url) => ({ url, node: new URL(url).host }));
}

/**
 * The endpoints of listed exporter pods: each running pod with an IP, at
 * `http://<pod IP>:<port>/metrics`, for its node (the pod's name when it has none). Pods that
 * share an IP (host networking on one node) are scraped once.
 */
export function podEndpoints(pods: readonly V1Pod[], port: number): DcgmEndpoint[] {
  const byUrl = new Map<string, DcgmEndpoint>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (pod.status?.phase !== 'Running' || !ip || pod.metadata?.deletionTimestamp) continue;
    const url = `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}/metrics`;
    if (!byUrl.has(url)) byUrl.set(url, { url, node: pod.spec?.nodeName ?? pod.metadata?.name ?? ip });
  }
  return [...byUrl.values()];
}

/** `promise`, or a rejection after `timeoutMs`. */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Lists the endpoints of one round; rejects when they cannot be known (the API server does not answer). */
export type DcgmEndpointLister = () => Promise<DcgmEndpoint[]>;

/**
 * The lister for a backend's `dcgmExporter` settings: the fixed URLs, or one pod list per call
 * through the API server with the hub's identity (it must be allowed to list pods in that namespace),
 * failing after `timeoutMs`.
 */
export function endpointLister(settings: ResolvedDcgmExporter, kubeConfig: (() => Promise<KubeConfig>) | undefined, timeoutMs: number): DcgmEndpointLister {
  if (settings.kind === 'urls') {
    const endpoints = urlEndpoints(settings.urls);
    return () => Promise.resolve(endpoints);
  }
  if (!kubeConfig) throw new Error('finding dcgm-exporter pods needs the backend\u2019s Kubernetes connection');
  const { namespace, labelSelector, port } = settings;
  let client: Promise<CoreV1Api> | null = null;
  const coreApi = async (): Promise<CoreV1Api> => {
    const k8s = await import('@kubernetes/client-node');
    return (await kubeConfig()).makeApiClient(k8s.CoreV1Api);
  };
  const listPods = async (): Promise<V1PodList> => (await (client ??= coreApi())).listNamespacedPod({ namespace, labelSelector });
  return async () => {
    let list;
    try {
      list = await withTimeout(listPods(), timeoutMs);
    } catch (err) {
      client = null;
      throw new Error(`cannot list the dcgm-exporter pods (namespace ${namespace}, ${labelSelector}): ${err instanceof Error ? err.message : String(err)}`);
    }
    return podEndpoints(list.items, port);
  };
}
