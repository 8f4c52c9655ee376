import type { CoreV1Event, V1Pod, V1PodCondition } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { eventInWords, failedSchedulingInWords, unschedulableMessage } from './event-words';

const podWith = (limits: Record<string, string>): V1Pod => ({ spec: { containers: [{ name: 'notebook', resources: { limits } }] } });
const event = (reason: string, message: string): CoreV1Event => ({ metadata: {}, involvedObject: {}, reason, message });

describe('scheduler messages in plain words', () => {
  it('says which GPUs a pod waits for and how many nodes could run it (messages as kube-scheduler 1.37 writes them)', () => {
    const full = '0/3 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector, 2 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    expect(failedSchedulingInWords(full, podWith({ 'nvidia.com/gpu': '2' }))).toBe(
      'Waiting for 2 full GPUs: none of the 2 nodes that may run this server has them free (1 other node is not meant for this server). It starts when another server stops.',
    );
    const mig = '0/3 nodes are available: 1 Insufficient nvidia.com/mig-2g.10gb, 2 node(s) didn\'t match Pod\'s node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    expect(failedSchedulingInWords(mig, podWith({ 'nvidia.com/mig-2g.10gb': '1' }))).toBe(
      'Waiting for 1 MIG slice 2g.10gb: the one node that may run this server does not have it free (2 other nodes are not meant for this server). It starts when another server stops.',
    );
  });

  it('explains selectors that match nothing, unbound claims and taints; keeps anything else readable', () => {
    expect(failedSchedulingInWords("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.", undefined)).toMatch(/^Waiting: no node in the cluster matches/);
    expect(failedSchedulingInWords('0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found', undefined)).toBe('Waiting for the storage volume of this server to be ready.');
    expect(failedSchedulingInWords('0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: ml}.', undefined)).toMatch(/reserved \(tainted\)/);
    expect(failedSchedulingInWords('something new', undefined)).toBe('Waiting for the cluster to find room: something new');
  });

  it("reads the scheduler's latest verdict from the pod's PodScheduled condition, only while the pod is not placed", () => {
    const gpu = "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient nvidia.com/gpu.";
    const pending = (condition: Omit<V1PodCondition, 'type'>, nodeName?: string): V1Pod => ({
      spec: { containers: [{ name: 'notebook' }], ...(nodeName ? { nodeName } : {}) },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', ...condition }] },
    });
    expect(unschedulableMessage(pending({ status: 'False', reason: 'Unschedulable', message: gpu }))).toBe(gpu);
    expect(unschedulableMessage(pending({ status: 'False', reason: 'Unschedulable', message: gpu }, 'gpu-full-0'))).toBeUndefined();
    expect(unschedulableMessage(pending({ status: 'True' }))).toBeUndefined();
    expect(unschedulableMessage(pending({ status: 'False', reason: 'SchedulingGated', message: 'gated' }))).toBeUndefined();
    expect(unschedulableMessage({ spec: { containers: [] } })).toBeUndefined();
    expect(unschedulableMessage(undefined)).toBeUndefined();
  });

  it('turns pod events into progress lines', () => {
    expect(eventInWords(event('Scheduled', 'Successfully assigned clusterhub/jupyter-alice to gpu-full-1'), undefined)).toBe('Scheduled on node gpu-full-1');
    expect(eventInWords(event('Started', 'Started container notebook'), undefined)).toBe('The server process started');
    expect(eventInWords(event('Pulling', 'Pulling image "registry.example/jupyter/base-notebook"'), undefined)).toBe('Pulling the image: Pulling image "registry.example/jupyter/base-notebook"');
    expect(eventInWords(event('BackOff', 'Back-off restarting failed container'), undefined)).toBe('BackOff: Back-off restarting failed container');
  });
});
