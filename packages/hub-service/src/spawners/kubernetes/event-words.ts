import type { CoreV1Event, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { GPU_RESOURCE } from './manifests';

/** Readable names of the resources a pod may lack. */
function resourceWords(resource: string, count: string | undefined): string {
  const n = count ?? '1';
  if (resource === GPU_RESOURCE) return `${n} full GPU${n === '1' ? '' : 's'}`;
  const mig = /^nvidia\.com\/mig-(.+)$/.exec(resource);
  if (mig) return `${n} MIG slice${n === '1' ? '' : 's'} ${mig[1]}`;
  if (resource === 'cpu') return `${n} CPU`;
  if (resource === 'memory') return `${n} of memory`;
  return `${n} ${resource}`;
}

/**
 * A `FailedScheduling` message of the scheduler in plain words, e.g. "0/3 nodes are available: 1
 * node(s) didn't match Pod's node affinity/selector, 2 Insufficient nvidia.com/gpu. preemption: …"
 * becomes "Waiting for 2 full GPUs: none of the 2 nodes that may run this server has them free
 * (1 other node is not meant for this server)." The scheduler's text follows in the HTML detail.
 */
export function failedSchedulingInWords(message: string, pod: V1Pod | undefined): string {
  const limits = pod?.spec?.containers[0]?.resources?.limits ?? {};
  const head = message.split('. preemption:')[0] ?? message;
  const insufficient = [...head.matchAll(/(\d+) Insufficient ([\w./-]+)/g)].map((m) => ({ nodes: Number(m[1]), resource: m[2] ?? '' }));
  const total = /^0\/(\d+) nodes/.exec(head)?.[1];
  if (insufficient.length > 0) {
    const wanted = insufficient.map((i) => resourceWords(i.resource, limits[i.resource] ?? pod?.spec?.containers[0]?.resources?.requests?.[i.resource]));
    const nodes = Math.max(...insufficient.map((i) => i.nodes));
    const others = total !== undefined ? Number(total) - nodes : 0;
    const otherText = others > 0 ? ` (${others} other node${others === 1 ? ' is' : 's are'} not meant for this server)` : '';
    const it = wanted.length === 1 && wanted[0]?.startsWith('1 ') ? 'it' : 'them';
    const where = nodes === 1 ? `the one node that may run this server does not have ${it} free` : `none of the ${nodes} nodes that may run this server has ${it} free`;
    return `Waiting for ${wanted.join(' and ')}: ${where}${otherText}. It starts when another server stops.`;
  }
  if (/didn't match Pod's node affinity\/selector/.test(head) && !/Insufficient/.test(head)) {
    return 'Waiting: no node in the cluster matches what this server needs (its node selector or affinity).';
  }
  if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim .* not found/i.test(head)) {
    return 'Waiting for the storage volume of this server to be ready.';
  }
  if (/untolerated taint/.test(head)) return 'Waiting: the nodes that could run this server are reserved (tainted) for other work.';
  return `Waiting for the cluster to find room: ${head}`;
}

/**
 * The scheduler's latest verdict on a pod it could not place: the message of the pod's
 * `PodScheduled` condition (status False, reason Unschedulable), which kube-scheduler rewrites
 * whenever an attempt fails for another reason; undefined once placed or when it has not said.
 * Its `FailedScheduling` events do not always carry it: the scheduler's event recorder keys a series
 * by the pod reference (with its resourceVersion) and not by the text, so a failure right after an
 * earlier one of the same pod version only raises that event's count and keeps its old text (an
 * "unbound PersistentVolumeClaims" can hide the "Insufficient nvidia.com/gpu" that followed it).
 */
export function unschedulableMessage(pod: V1Pod | undefined): string | undefined {
  if (!pod || pod.spec?.nodeName) return undefined;
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (condition?.status !== 'False' || condition.reason !== 'Unschedulable' || !condition.message) return undefined;
  return condition.message;
}

/** The node a `Scheduled` event names ("Successfully assigned ns/pod to gpu-full-1"). */
export function scheduledNode(event: CoreV1Event): string | undefined {
  return / to (\S+)$/.exec(event.message ?? '')?.[1];
}

/** A pod event as a progress line: where it was scheduled, why it waits, what the node does. */
export function eventInWords(event: CoreV1Event, pod: V1Pod | undefined): string {
  const message = event.message ?? '';
  switch (event.reason) {
    case 'Scheduled': {
      const node = scheduledNode(event) ?? pod?.spec?.nodeName;
      return node ? `Scheduled on node ${node}` : 'Scheduled';
    }
    case 'FailedScheduling':
      return failedSchedulingInWords(message, pod);
    case 'Pulling':
      return `Pulling the image: ${message}`;
    case 'Started':
      return 'The server process started';
    default:
      return `${event.reason ?? 'Event'}: ${message}`;
  }
}
