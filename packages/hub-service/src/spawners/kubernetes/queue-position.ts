import type { V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/** The GPU resources (whole GPUs, MIG slices) a pod asks for. */
function gpuKeys(pod: V1Pod): string[] {
  const limits = pod.spec?.containers[0]?.resources?.limits ?? {};
  return Object.keys(limits)
    .filter((k) => k.startsWith('nvidia.com/'))
    .sort();
}

function waiting(pod: V1Pod): boolean {
  return pod.status?.phase === 'Pending' && !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp;
}

function createdAt(pod: V1Pod): number {
  const t = pod.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/**
 * How many of the hub's unscheduled pods that need the same GPU resource were created before
 * `pod` (ties: by name); null when `pod` needs no GPU or is not waiting.
 */
export function queuePosition(pod: V1Pod, pods: readonly V1Pod[]): number | null {
  const keys = gpuKeys(pod).join(',');
  if (keys === '' || !waiting(pod)) return null;
  const line = pods
    .filter((p) => waiting(p) && gpuKeys(p).join(',') === keys)
    .sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const index = line.findIndex((p) => p.metadata?.uid === pod.metadata?.uid);
  return index < 0 ? null : index;
}

/** The position in words: "1 person is waiting for the same GPUs before you." */
export function positionInWords(before: number | null): string {
  if (before === null) return '';
  if (before === 0) return ' You are first in line for these GPUs.';
  return ` ${before} ${before === 1 ? 'person is' : 'people are'} waiting for the same GPUs before you.`;
}
