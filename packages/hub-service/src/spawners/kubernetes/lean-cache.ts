import type { KubernetesObject, ListWatch } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/**
 * Keeps a watch cache lean: every object the informer adds or updates loses what the hub never
 * reads, before any other handler sees it (register this first). A ListWatch caches the very object
 * it hands its handlers, so this shrinks the cache itself: `metadata.managedFields` (server-side
 * apply bookkeeping: about two thirds of a hub pod's memory) and a node's `status.images` (every image
 * on the node, often tens of kilobytes). Measured by `npm run bench -- --only k8s` (docs/performance.md).
 */
export function keepLean<T extends KubernetesObject>(informer: ListWatch<T>): void {
  const drop = (obj: T): void => {
    if (obj.metadata) delete obj.metadata.managedFields;
    const status = (obj as { status?: { images?: unknown } }).status;
    if (status && 'images' in status) delete status.images; // only nodes have it
  };
  informer.on('add', drop);
  informer.on('update', drop);
}
