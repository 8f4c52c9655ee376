import type { ServerState } from '@clusterhub/shared';
import { decideCull, warningStale, type CullCandidate, type WebWarningFacts } from './decide';
import { effectivePolicy, type CullerPolicy } from './policy';

const HUB: CullerPolicy = { idleTimeoutSeconds: 3600, maxAgeSeconds: 0, removeNamedServers: false, warningSeconds: 300 };
const T0 = new Date('2026-11-30T12:00:00Z');

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

function ms(seconds: number): number {
  return T0.getTime() + seconds * 1000;
}

function server(overrides: Partial<CullCandidate> = {}): CullCandidate {
  return { name: '', state: 'running', started: T0, lastActivity: T0, ...overrides };
}

function warned(reason: WebWarningFacts['reason'], warnedAt: number, actionAt: number): WebWarningFacts {
  return { reason, warnedAt: ms(warnedAt), actionAt: ms(actionAt) };
}

describe('decideCull: warnings first', () => {
  it('warns a server idle for the timeout minus the warning, with the stop at the end of the timeout', () => {
    expect(decideCull(server(), at(3299), HUB)).toEqual({ action: 'keep' });
    expect(decideCull(server(), at(3300), HUB)).toEqual({ action: 'warn', reason: 'idle', since: T0.getTime(), actionAt: ms(3600) });
  });

  it('stops only at the time of an earlier warning, with reason idle', () => {
    const warning = warned('idle', 3300, 3600);
    expect(decideCull(server(), at(3599), HUB, warning)).toEqual({ action: 'keep' });
    expect(decideCull(server(), at(3600), HUB, warning)).toEqual({ action: 'stop', reason: 'idle', remove: false });
  });

  it('never stops without warning: a server found past its deadline is warned a full warning ahead', () => {
    expect(decideCull(server(), at(3 * 3600), HUB)).toEqual({ action: 'warn', reason: 'idle', since: T0.getTime(), actionAt: ms(3 * 3600 + 300) });
  });

  it('with no warning time still warns in one pass and stops in the next', () => {
    const policy = { ...HUB, warningSeconds: 0 };
    expect(decideCull(server(), at(3600), policy)).toEqual({ action: 'warn', reason: 'idle', since: T0.getTime(), actionAt: ms(3600) });
    expect(decideCull(server(), at(3600), policy, warned('idle', 3600, 3600))).toMatchObject({ action: 'stop' });
  });

  it('caps the warning at the timeout', () => {
    const policy = { ...HUB, idleTimeoutSeconds: 60 };
    expect(decideCull(server(), at(0), policy)).toEqual({ action: 'warn', reason: 'idle', since: T0.getTime(), actionAt: ms(60) });
  });

  it('takes an idle warning back after activity, and warns again when idle again', () => {
    const warning = warned('idle', 3300, 3600);
    expect(decideCull(server({ lastActivity: at(3400) }), at(3500), HUB, warning)).toEqual({ action: 'clear' });
    expect(decideCull(server({ lastActivity: at(3400) }), at(3400 + 3300), HUB, warning)).toMatchObject({ action: 'warn', actionAt: ms(3400 + 3600) });
    expect(warningStale(warning, server({ lastActivity: at(3300) }))).toBe(false);
    expect(warningStale(warning, server({ lastActivity: at(3301) }))).toBe(true);
  });

  it('counts idleness from the start when no activity was reported', () => {
    expect(decideCull(server({ lastActivity: null }), at(3299), HUB)).toEqual({ action: 'keep' });
    expect(decideCull(server({ lastActivity: null }), at(3300), HUB).action).toBe('warn');
  });

  it('warns for max age even when active; activity does not take it back; max age wins a tie', () => {
    const policy = { ...HUB, maxAgeSeconds: 7200 };
    expect(decideCull(server({ lastActivity: at(6899) }), at(6900), policy)).toEqual({ action: 'warn', reason: 'max-age', since: T0.getTime(), actionAt: ms(7200) });
    const warning = warned('max-age', 6900, 7200);
    expect(decideCull(server({ lastActivity: at(7100) }), at(7100), policy, warning)).toEqual({ action: 'keep' });
    expect(decideCull(server({ lastActivity: at(7199) }), at(7200), policy, warning)).toEqual({ action: 'stop', reason: 'max-age', remove: false });
    expect(decideCull(server({ lastActivity: at(3600) }), at(6900), { ...policy, idleTimeoutSeconds: 3600 })).toMatchObject({ reason: 'max-age' });
    expect(warningStale(warning, server({ lastActivity: at(7199) }))).toBe(false);
  });

  it('warns for the rule due first', () => {
    const policy = { ...HUB, maxAgeSeconds: 7200 };
    expect(decideCull(server({ lastActivity: at(600) }), at(3900), policy)).toMatchObject({ action: 'warn', reason: 'idle', actionAt: ms(4200) });
    expect(decideCull(server({ lastActivity: at(6000) }), at(6900), policy)).toMatchObject({ action: 'warn', reason: 'max-age' });
  });

  it('treats 0 as disabled', () => {
    const off = { ...HUB, idleTimeoutSeconds: 0 };
    expect(decideCull(server(), at(10 ** 6), off)).toEqual({ action: 'keep' });
  });

  it('only culls running servers', () => {
    const states: ServerState[] = ['stopped', 'pending-start', 'pending-stop'];
    for (const state of states) {
      expect(decideCull(server({ state }), at(10 ** 6), HUB)).toEqual({ action: 'keep' });
    }
  });

  it('removes named servers only when configured, never the default server', () => {
    const removing = { ...HUB, removeNamedServers: true };
    const warning = warned('idle', 3300, 3600);
    expect(decideCull(server({ name: 'gpu' }), at(3600), HUB, warning)).toMatchObject({ remove: false });
    expect(decideCull(server({ name: 'gpu' }), at(3600), removing, warning)).toMatchObject({ remove: true });
    expect(decideCull(server({ name: '' }), at(3600), removing, warning)).toMatchObject({ remove: false });
  });
});

describe('effectivePolicy', () => {
  it("lays a profile's cull section over the hub's settings", () => {
    expect(effectivePolicy(HUB, { idleTimeoutSeconds: 900 })).toEqual({ ...HUB, idleTimeoutSeconds: 900 });
    expect(effectivePolicy(HUB, { maxAgeSeconds: 0 })).toEqual(HUB);
    expect(effectivePolicy(HUB, { warningSeconds: 60 })).toEqual({ ...HUB, warningSeconds: 60 });
    expect(effectivePolicy(HUB, undefined)).toEqual(HUB);
  });
});

