import type { V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { positionInWords, queuePosition } from './queue-position';

function pod(name: string, created: string, limits: Record<string, string>, nodeName?: string): V1Pod {
  return {
    metadata: { name, uid: `uid-${name}`, creationTimestamp: new Date(created) },
    spec: { containers: [{ name: 'notebook', resources: { limits } }], ...(nodeName ? { nodeName } : {}) },
    status: { phase: 'Pending' },
  };
}

describe('place in line among waiting pods', () => {
  const gpu = { 'nvidia.com/gpu': '1' };
  const mig = { 'nvidia.com/mig-1g.5gb': '1' };
  const a = pod('a', '2026-11-30T10:00:00Z', gpu);
  const b = pod('b', '2026-11-30T10:00:05Z', { 'nvidia.com/gpu': '2' });
  const c = pod('c', '2026-11-30T10:00:09Z', gpu);
  const m = pod('m', '2026-11-30T09:00:00Z', mig);
  const bound = pod('x', '2026-11-30T08:00:00Z', gpu, 'gpu-full-0');
  const cpu = pod('cpu', '2026-11-30T08:00:00Z', { cpu: '1' });

  it('counts earlier unscheduled pods that need the same kind of GPU, whatever the count', () => {
    const all = [c, b, a, m, bound, cpu];
    expect(queuePosition(a, all)).toBe(0);
    expect(queuePosition(b, all)).toBe(1);
    expect(queuePosition(c, all)).toBe(2);
    expect(queuePosition(m, all)).toBe(0);
  });

  it('has no place for a pod that is bound or needs no GPU', () => {
    expect(queuePosition(bound, [bound, a])).toBeNull();
    expect(queuePosition(cpu, [cpu, a])).toBeNull();
  });

  it('says it in words', () => {
    expect(positionInWords(null)).toBe('');
    expect(positionInWords(0)).toBe(' You are first in line for these GPUs.');
    expect(positionInWords(1)).toBe(' 1 person is waiting for the same GPUs before you.');
    expect(positionInWords(3)).toBe(' 3 people are waiting for the same GPUs before you.');
  });
});
