import { actionDueAt, decideGpuIdle, gpuIdleRule, idleClockStart, type GpuIdleFacts, type GpuIdleRule } from './gpu-idle';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 30, 14, 0, 0);

const STOP: GpuIdleRule = { action: 'stop', periodMs: 30 * MIN, warningMs: 5 * MIN, downshiftTo: null };
const DOWN: GpuIdleRule = { ...STOP, action: 'downshift', downshiftTo: 'cpu' };
const NOTIFY: GpuIdleRule = { ...STOP, action: 'notify' };

function facts(over: Partial<GpuIdleFacts>): GpuIdleFacts {
  return { idleSince: T0, keepAliveAt: null, warnedAt: null, notifiedAt: null, now: T0, ...over };
}

describe('gpuIdleRule', () => {
  it('converts seconds, applies the default warning (five minutes, or the period when shorter) and keeps downshiftTo only for downshift', () => {
    expect(gpuIdleRule(undefined)).toBeNull();
    expect(gpuIdleRule({ action: 'stop', periodSeconds: 1800 })).toEqual({ action: 'stop', periodMs: 30 * MIN, warningMs: 5 * MIN, downshiftTo: null });
    expect(gpuIdleRule({ action: 'downshift', periodSeconds: 60, warningSeconds: 0, downshiftTo: 'cpu' })).toEqual({ action: 'downshift', periodMs: MIN, warningMs: 0, downshiftTo: 'cpu' });
    expect(gpuIdleRule({ action: 'notify', periodSeconds: 60, downshiftTo: 'cpu' })).toEqual({ action: 'notify', periodMs: MIN, warningMs: MIN, downshiftTo: null });
  });
});

describe('idleClockStart and actionDueAt', () => {
  it('counts from the later of the idle start and the keep-alive', () => {
    expect(idleClockStart({ idleSince: null, keepAliveAt: T0 })).toBeNull();
    expect(idleClockStart({ idleSince: T0, keepAliveAt: null })).toBe(T0);
    expect(idleClockStart({ idleSince: T0, keepAliveAt: T0 + MIN })).toBe(T0 + MIN);
    expect(idleClockStart({ idleSince: T0 + MIN, keepAliveAt: T0 })).toBe(T0 + MIN);
  });

  it('is the end of the period, never sooner than a full warning after the warning', () => {
    expect(actionDueAt(STOP, T0, null)).toBe(T0 + 30 * MIN);
    expect(actionDueAt(STOP, T0, T0 + 25 * MIN)).toBe(T0 + 30 * MIN);
    expect(actionDueAt(STOP, T0, T0 + 40 * MIN)).toBe(T0 + 45 * MIN);
  });
});

describe('decideGpuIdle: downshift and stop', () => {
  it('does nothing while the GPU is busy or idle for less than the period minus the warning', () => {
    expect(decideGpuIdle(STOP, facts({ idleSince: null, now: T0 + 60 * MIN }))).toEqual({ kind: 'none' });
    expect(decideGpuIdle(STOP, facts({ now: T0 + 25 * MIN - 1 }))).toEqual({ kind: 'none' });
  });

  it('warns at period minus warning with the time of the action', () => {
    expect(decideGpuIdle(DOWN, facts({ now: T0 + 25 * MIN }))).toEqual({ kind: 'warn', action: 'downshift', idleSince: T0, actionAt: T0 + 30 * MIN });
  });

  it('acts only after the warning, at the end of the period', () => {
    const warnedAt = T0 + 25 * MIN;
    expect(decideGpuIdle(STOP, facts({ warnedAt, now: T0 + 29 * MIN }))).toEqual({ kind: 'none' });
    expect(decideGpuIdle(STOP, facts({ warnedAt, now: T0 + 30 * MIN }))).toEqual({ kind: 'act', action: 'stop', idleSince: T0 });
    expect(decideGpuIdle(DOWN, facts({ warnedAt, now: T0 + 31 * MIN }))).toEqual({ kind: 'act', action: 'downshift', idleSince: T0 });
  });

  it('never acts without warning: a server found past the period is warned a full warning ahead', () => {
    expect(decideGpuIdle(STOP, facts({ now: T0 + 90 * MIN }))).toEqual({ kind: 'warn', action: 'stop', idleSince: T0, actionAt: T0 + 95 * MIN });
    expect(decideGpuIdle(STOP, facts({ warnedAt: T0 + 90 * MIN, now: T0 + 94 * MIN }))).toEqual({ kind: 'none' });
    expect(decideGpuIdle(STOP, facts({ warnedAt: T0 + 90 * MIN, now: T0 + 95 * MIN })).kind).toBe('act');
  });

  it('with no warning time still warns in one pass and acts in a later one', () => {
    const rule = { ...STOP, warningMs: 0 };
    expect(decideGpuIdle(rule, facts({ now: T0 + 30 * MIN })).kind).toBe('warn');
    expect(decideGpuIdle(rule, facts({ warnedAt: T0 + 30 * MIN, now: T0 + 30 * MIN })).kind).toBe('act');
  });

  it('takes the warning back when the GPU is used again', () => {
    expect(decideGpuIdle(STOP, facts({ idleSince: null, warnedAt: T0 + 25 * MIN, now: T0 + 27 * MIN }))).toEqual({ kind: 'clear' });
    // A new idle run after the warning: the old warning does not count.
    expect(decideGpuIdle(STOP, facts({ idleSince: T0 + 27 * MIN, warnedAt: T0 + 25 * MIN, now: T0 + 28 * MIN }))).toEqual({ kind: 'clear' });
  });

  it('a keep-alive postpones the action by a full period and takes the warning back', () => {
    const warnedAt = T0 + 25 * MIN;
    const keepAliveAt = T0 + 26 * MIN;
    expect(decideGpuIdle(STOP, facts({ warnedAt, keepAliveAt, now: T0 + 31 * MIN }))).toEqual({ kind: 'clear' });
    expect(decideGpuIdle(STOP, facts({ keepAliveAt, now: T0 + 50 * MIN }))).toEqual({ kind: 'none' });
    expect(decideGpuIdle(STOP, facts({ keepAliveAt, now: T0 + 51 * MIN }))).toEqual({ kind: 'warn', action: 'stop', idleSince: keepAliveAt, actionAt: T0 + 56 * MIN });
  });
});

describe('decideGpuIdle: notify', () => {
  it('notifies once per idle run at the end of the period, without warning', () => {
    expect(decideGpuIdle(NOTIFY, facts({ now: T0 + 30 * MIN - 1 }))).toEqual({ kind: 'none' });
    expect(decideGpuIdle(NOTIFY, facts({ now: T0 + 30 * MIN }))).toEqual({ kind: 'notify', idleSince: T0 });
    expect(decideGpuIdle(NOTIFY, facts({ notifiedAt: T0 + 30 * MIN, now: T0 + 90 * MIN }))).toEqual({ kind: 'none' });
  });

  it('takes the notice back when the GPU is used again or the server is kept', () => {
    expect(decideGpuIdle(NOTIFY, facts({ idleSince: null, notifiedAt: T0 + 30 * MIN, now: T0 + 31 * MIN }))).toEqual({ kind: 'clear' });
    expect(decideGpuIdle(NOTIFY, facts({ notifiedAt: T0 + 30 * MIN, keepAliveAt: T0 + 31 * MIN, now: T0 + 32 * MIN }))).toEqual({ kind: 'clear' });
  });
});
