import { capacityText } from './capacity-text';

const base = { backend: 'k8s', resource: 'nvidia.com/gpu', perServer: 1, waiting: 0 };

describe('the home page words for a Kubernetes profile capacity', () => {
  it('says how many servers fit now, and who waits', () => {
    expect(capacityText({ ...base, free: 3, fits: 3 })).toBe('3 free now');
    expect(capacityText({ ...base, free: 1, fits: 0, perServer: 2 })).toBe('none free now');
    expect(capacityText({ ...base, free: 0, fits: 0, waiting: 2 })).toBe('none free now, 2 waiting');
    expect(capacityText({ ...base, free: 2, fits: 2, waiting: 1 })).toBe('2 free now, 1 waiting');
  });

  it('says nothing when the hub does not know', () => {
    expect(capacityText({ ...base, free: null, fits: null, reason: 'cannot watch nodes' })).toBeNull();
  });
});
