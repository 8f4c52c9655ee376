import { LoginThrottle } from './login-throttle';

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (seconds: number) => void } {
  let t = start;
  return { now: () => t, advance: (seconds) => (t += seconds * 1000) };
}

describe('LoginThrottle', () => {
  it('allows the free failures, then asks for exponentially growing waits up to the cap', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 3, maxDelaySeconds: 10, clock: clock.now });
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.check('alice')).toEqual({ allowed: true });
      throttle.recordFailure('alice');
    }
    const waits: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const decision = throttle.check('alice');
      if (decision.allowed) throw new Error('expected a wait');
      waits.push(decision.retryAfterSeconds);
      clock.advance(decision.retryAfterSeconds);
      expect(throttle.check('alice')).toEqual({ allowed: true });
      throttle.recordFailure('alice');
    }
    expect(waits).toEqual([1, 2, 4, 8, 10, 10]);
  });

  it('counts down the remaining wait', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 0, maxDelaySeconds: 30, clock: clock.now });
    throttle.recordFailure('k');
    throttle.recordFailure('k');
    throttle.recordFailure('k');
    expect(throttle.check('k')).toEqual({ allowed: false, retryAfterSeconds: 4 });
    clock.advance(2.5);
    expect(throttle.check('k')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    clock.advance(1.5);
    expect(throttle.check('k')).toEqual({ allowed: true });
  });

  it('keeps keys apart and forgets a key on success', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 1, maxDelaySeconds: 30, clock: clock.now });
    throttle.recordFailure('alice');
    expect(throttle.check('alice').allowed).toBe(false);
    expect(throttle.check('bob')).toEqual({ allowed: true });
    throttle.recordSuccess('alice');
    expect(throttle.check('alice')).toEqual({ allowed: true });
    expect(throttle.size).toBe(0);
  });

  it('does nothing when the maximum delay is 0', () => {
    const throttle = new LoginThrottle({ freeFailures: 0, maxDelaySeconds: 0, clock: manualClock().now });
    for (let i = 0; i < 20; i += 1) throttle.recordFailure('k');
    expect(throttle.check('k')).toEqual({ allowed: true });
  });

  it('forgets failures a while after the last one', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 0, maxDelaySeconds: 30, forgetAfterSeconds: 600, clock: clock.now });
    for (let i = 0; i < 10; i += 1) throttle.recordFailure('k');
    clock.advance(599);
    expect(throttle.check('k')).toEqual({ allowed: true });
    throttle.recordFailure('k');
    expect(throttle.check('k')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    clock.advance(600);
    throttle.recordFailure('k');
    expect(throttle.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('bounds its memory, evicting the least recently failed keys', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 0, maxDelaySeconds: 30, maxEntries: 100, clock: clock.now });
    throttle.recordFailure('target');
    for (let i = 0; i < 99; i += 1) throttle.recordFailure(`spray-${i}`);
    throttle.recordFailure('target');
    for (let i = 99; i < 1000; i += 1) {
      throttle.recordFailure(`spray-${i}`);
      if (i % 50 === 0) throttle.recordFailure('target');
    }
    expect(throttle.size).toBe(100);
    expect(throttle.check('target').allowed).toBe(false);
    expect(throttle.check('spray-0')).toEqual({ allowed: true });
  });

  it('drops expired entries while recording others', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 0, maxDelaySeconds: 1, forgetAfterSeconds: 60, clock: clock.now });
    for (let i = 0; i < 10; i += 1) throttle.recordFailure(`old-${i}`);
    clock.advance(61);
    throttle.recordFailure('new');
    expect(throttle.size).toBe(1);
  });

  it('never asks for more than the delay when the clock goes backwards', () => {
    const clock = manualClock();
    const throttle = new LoginThrottle({ freeFailures: 0, maxDelaySeconds: 4, clock: clock.now });
    throttle.recordFailure('k');
    clock.advance(-3600);
    expect(throttle.check('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });
});
