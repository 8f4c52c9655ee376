/**
 * What is free for a profile on a Kubernetes cluster, from the nodes and the pods the hub watches:
 * per node, its allocatable GPUs (or MIG slices) minus the requests of the pods bound to it that
 * have not ended; only nodes where the profile's pods may run count (node selector, required node
 * affinity, taints the pod does not tolerate, cordoned nodes). Pure: the watches hand in the objects.
 */
import type { V1Affinity, V1Node, V1NodeSelectorRequirement, V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/** Where a profile's pods may run, as the manifest builders place them (`nodePlacement`). */
export interface Placement {
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly affinity?: V1Affinity;
  readonly tolerations?: readonly V1Toleration[];
}

/** Free units of a resource for a profile. */
export interface FreeResource {
  /** Units free on the nodes the profile may use. */
  readonly free: number;
  /** How many more servers of the profile fit now (each needs `perServer` units on ONE node). */
  readonly fits: number;
  /** Nodes the profile may use. */
  readonly nodes: number;
}

/** A quantity as Kubernetes writes extended resources and counts: a whole number, else 0. */
function count(value: string | number | undefined): number {
  if (value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function matches(labels: Readonly<Record<string, string>>, requirement: V1NodeSelectorRequirement): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const [bound] = values.map(Number);
      const n = Number(value);
      if (value === undefined || bound === undefined || !Number.isFinite(n) || !Number.isFinite(bound)) return false;
      return requirement.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

function tolerates(tolerations: readonly V1Toleration[], taint: V1Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** Whether the scheduler could place a pod with `placement` on `node` (resources aside). */
export function nodeAccepts(node: V1Node, placement: Placement): boolean {
  if (node.spec?.unschedulable) return false;
  const labels = node.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(placement.nodeSelector ?? {})) if (labels[key] !== value) return false;
  const terms = placement.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  // Terms are ORed, the expressions of one term ANDed.
  if (terms.length > 0 && !terms.some((term) => (term.matchExpressions ?? []).every((r) => matches(labels, r)))) return false;
  const blocking = (node.spec?.taints ?? []).filter((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute');
  return blocking.every((taint) => tolerates(placement.tolerations ?? [], taint));
}

/** Units of `resource` a pod asks for (its containers' requests, else limits, as the scheduler counts extended resources). */
export function podRequest(pod: V1Pod, resource: string): number {
  return (pod.spec?.containers ?? []).reduce((sum, c) => sum + count(c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource]), 0);
}

/** True for a pod that holds its node's resources: bound and not ended. */
function holdsNode(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * Free units of `resource` for a profile whose servers each ask for `perServer` of it.
 *
 * @param pods every pod of the cluster the hub sees (others' too: they use GPUs as well).
 */
export function freeFor(nodes: readonly V1Node[], pods: readonly V1Pod[], resource: string, perServer: number, placement: Placement): FreeResource {
  const used = new Map<string, number>();
  for (const pod of pods) {
    if (!holdsNode(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    used.set(node, (used.get(node) ?? 0) + podRequest(pod, resource));
  }
  let free = 0;
  let fits = 0;
  let usable = 0;
  for (const node of nodes) {
    const allocatable = count(node.status?.allocatable?.[resource]);
    if (allocatable === 0 || !nodeAccepts(node, placement)) continue;
    usable += 1;
    const left = Math.max(0, allocatable - (used.get(node.metadata?.name ?? '') ?? 0));
    free += left;
    fits += perServer > 0 ? Math.floor(left / perServer) : 0;
  }
  return { free, fits, nodes: usable };
}
