import type { V1Node, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ProfileConfig } from '@clusterhub/shared';
import { freeFor, nodeAccepts, podRequest } from './capacity';
import { nodePlacement } from './manifests';

const GPU = 'nvidia.com/gpu';
const MIG = 'nvidia.com/mig-1g.5gb';

function node(name: string, labels: Record<string, string>, allocatable: Record<string, string>, spec: V1Node['spec'] = {}): V1Node {
  return { metadata: { name, labels }, spec, status: { allocatable } };
}

function pod(nodeName: string | undefined, requests: Record<string, string>, phase = 'Running'): V1Pod {
  return { metadata: { name: `p-${Math.random()}` }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', resources: { limits: requests } }] }, status: { phase } };
}

const MIG_NODE = node('mig-0', { 'nvidia.com/mig.capable': 'true' }, { [MIG]: '7' });
const FULL_0 = node('full-0', { 'nvidia.com/mig.capable': 'false' }, { [GPU]: '2' });
const FULL_1 = node('full-1', {}, { [GPU]: '2' });
const NODES = [MIG_NODE, FULL_0, FULL_1];

const gpuProfile = (count: number): ProfileConfig => ({ slug: 'gpu', displayName: 'GPU', kind: 'gpu', resources: { gpus: { count } } });
const migProfile: ProfileConfig = { slug: 'mig', displayName: 'MIG', kind: 'mig', resources: { mig: { profile: '1g.5gb' } } };
const placementOf = (profile: ProfileConfig) => nodePlacement({ profile, kubernetes: {} });

describe('what is free for a profile on Kubernetes', () => {
  it("places pods as the seed's rules do: MIG only on the MIG node, full GPUs off it (with or without the label)", () => {
    expect(NODES.map((n) => nodeAccepts(n, placementOf(migProfile)))).toEqual([true, false, false]);
    expect(NODES.map((n) => nodeAccepts(n, placementOf(gpuProfile(1))))).toEqual([false, true, true]);
  });

  it('counts allocatable minus the requests of bound, live pods; ended and unbound pods hold nothing', () => {
    const pods = [pod('full-0', { [GPU]: '1' }), pod('full-1', { [GPU]: '2' }), pod('full-0', { [GPU]: '1' }, 'Succeeded'), pod(undefined, { [GPU]: '1' }, 'Pending'), pod('mig-0', { [MIG]: '3' })];
    expect(freeFor(NODES, pods, GPU, 1, placementOf(gpuProfile(1)))).toEqual({ free: 1, fits: 1, nodes: 2 });
    expect(freeFor(NODES, pods, MIG, 1, placementOf(migProfile))).toEqual({ free: 4, fits: 4, nodes: 1 });
  });

  it('fits a two-GPU server only where one node has two free, however many are free in all', () => {
    const pods = [pod('full-0', { [GPU]: '1' }), pod('full-1', { [GPU]: '1' })];
    expect(freeFor(NODES, pods, GPU, 2, placementOf(gpuProfile(2)))).toEqual({ free: 2, fits: 0, nodes: 2 });
    expect(freeFor(NODES, [], GPU, 2, placementOf(gpuProfile(2)))).toEqual({ free: 4, fits: 2, nodes: 2 });
  });

  it('leaves out cordoned nodes and nodes with taints the pod does not tolerate', () => {
    const cordoned = node('full-2', {}, { [GPU]: '4' }, { unschedulable: true });
    const tainted = node('full-3', {}, { [GPU]: '4' }, { taints: [{ key: 'dedicated', value: 'ml-team', effect: 'NoSchedule' }] });
    const gpuTaint = node('full-4', {}, { [GPU]: '1' }, { taints: [{ key: GPU, effect: 'NoSchedule' }] });
    const preferOnly = node('full-5', {}, { [GPU]: '1' }, { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
    const placement = placementOf(gpuProfile(1));
    expect([cordoned, tainted, gpuTaint, preferOnly].map((n) => nodeAccepts(n, placement))).toEqual([false, false, true, true]);
    expect(nodeAccepts(tainted, { ...placement, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml-team', effect: 'NoSchedule' }] })).toBe(true);
    expect(nodeAccepts(tainted, { tolerations: [{ operator: 'Exists' }] })).toBe(true);
  });

  it('matches node selector terms as the scheduler does: terms ORed, expressions ANDed', () => {
    const n = node('n', { zone: 'a', size: '8' }, { [GPU]: '1' });
    const term = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
    const affinity = (...terms: ReturnType<typeof term>[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
    expect(nodeAccepts(n, affinity(term('zone', 'In', ['b']), term('size', 'Gt', ['4'])))).toBe(true);
    expect(nodeAccepts(n, affinity(term('zone', 'In', ['b']), term('size', 'Lt', ['4'])))).toBe(false);
    expect(nodeAccepts(n, affinity(term('gpu', 'DoesNotExist')))).toBe(true);
    expect(nodeAccepts(n, affinity(term('zone', 'Exists')))).toBe(true);
    expect(nodeAccepts(n, affinity(term('zone', 'Bogus', ['a'])))).toBe(false);
    expect(nodeAccepts(n, { nodeSelector: { zone: 'a', size: '9' } })).toBe(false);
  });

  it("reads a pod's request from requests, else limits, over all its containers; odd quantities count as 0", () => {
    const two: V1Pod = { spec: { containers: [{ name: 'a', resources: { requests: { [GPU]: '1' }, limits: { [GPU]: '1' } } }, { name: 'b', resources: { limits: { [GPU]: '1' } } }] } };
    expect(podRequest(two, GPU)).toBe(2);
    expect(podRequest({ spec: { containers: [{ name: 'a', resources: { limits: { [GPU]: 'lots' } } }] } }, GPU)).toBe(0);
    expect(podRequest({}, GPU)).toBe(0);
  });
});
