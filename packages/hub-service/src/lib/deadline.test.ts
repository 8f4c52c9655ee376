import { Deadline } from './deadline';
import { sleep } from './sleep';

describe('Deadline', () => {
  it('aborts at the deadline with a TimeoutError', async () => {
    const d = new Deadline(20);
    await sleep(60);
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('moves later, never earlier', async () => {
    const d = new Deadline(30);
    d.extendTo(Date.now() + 10_000);
    d.extendTo(Date.now() + 1);
    await sleep(80);
    expect(d.signal.aborted).toBe(false);
    d.clear();
  });
});
