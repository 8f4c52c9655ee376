import type { KubeConfig, Watch } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

type K8sModule = Awaited<typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } })>;
type WatchArgs = Parameters<Watch['watch']>;

/**
 * A `Watch` for the hub's informers that asks the API server for bookmarks
 * (`allowWatchBookmarks=true`): on a quiet selector the server still sends the current
 * resourceVersion now and then, so a watch that ends (the server closes every watch after its
 * timeout) resumes from a version etcd has not compacted away, instead of failing with 410 Gone
 * and listing everything again (the relist storms of kubespawner#753). ListWatch already records the
 * version of a BOOKMARK event; it only never asks for them.
 */
export function bookmarkingWatch(k8s: K8sModule, kubeConfig: KubeConfig): Watch {
  const watch = new k8s.Watch(kubeConfig);
  const plain = watch.watch.bind(watch);
  watch.watch = (path: WatchArgs[0], queryParams: WatchArgs[1], callback: WatchArgs[2], done: WatchArgs[3]) =>
    plain(path, withBookmarks(queryParams), callback, done);
  return watch;
}

/** The query of a watch request with bookmarks asked for. */
export function withBookmarks(queryParams: WatchArgs[1]): WatchArgs[1] {
  return { ...queryParams, allowWatchBookmarks: true };
}
