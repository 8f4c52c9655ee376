import { GpuHistory, RingBuffer } from './history';
import type { GpuReading } from './sample';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` entries, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.last()).toBeUndefined();
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});

describe('GpuHistory', () => {
  const reading = (at: number): GpuReading => ({ at, devices: [] });

  it('sizes each server ring for the window: 30 minutes at 5 s is 360 readings', () => {
    const history = new GpuHistory();
    expect(history.capacity).toBe(360);
    for (let i = 0; i < 400; i += 1) history.record('alice/', reading(i * 5000));
    const kept = history.readings('alice/');
    expect(kept).toHaveLength(360);
    expect(kept[0]?.at).toBe(40 * 5000);
  });

  it('keeps servers apart, filters by age, and forgets servers no longer running', () => {
    const history = new GpuHistory(10_000, 1000);
    history.record('alice/', reading(0));
    history.record('alice/', reading(9000));
    history.record('bob/gpu', reading(5000));
    expect(history.readings('alice/', 15_000).map((r) => r.at)).toEqual([9000]);
    expect(history.readings('carol/')).toEqual([]);
    history.retain(['bob/gpu']);
    expect(history.servers()).toEqual(['bob/gpu']);
  });
});
