import type { ServerState } from '@clusterhub/shared';
import { decideCull, type CullCandidate } from './decide';
import { effectivePolicy, type CullerPolicy } from './policy';

const HUB: CullerPolicy = { idleTimeoutSeconds: 3600, maxAgeSeconds: 0, removeNamedServers: false };
const T0 = new Date('2026-11-30T12:00:00Z');

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

function server(overrides: Partial<CullCandidate> = {}): CullCandidate {
  return { name: '', state: 'running', started: T0, lastActivity: T0, ...overrides };
}

describe('decideCull', () => {
  it('stops a server idle for the timeout with reason idle', () => {
    expect(decideCull(server(), at(3600), HUB)).toEqual({ action: 'stop', reason: 'idle', remove: false });
  });

  it('spares a server with recent activity', () => {
    expect(decideCull(server({ lastActivity: at(3000) }), at(3600), HUB)).toEqual({ action: 'keep' });
  });

  it('counts idleness from the start when no activity was reported', () => {
    expect(decideCull(server({ lastActivity: null }), at(3599), HUB)).toEqual({ action: 'keep' });
    expect(decideCull(server({ lastActivity: null }), at(3600), HUB).action).toBe('stop');
  });

  it('stops at max age even when active, and max age wins over idle', () => {
    const policy = { ...HUB, maxAgeSeconds: 7200 };
    expect(decideCull(server({ lastActivity: at(7199) }), at(7200), policy)).toEqual({ action: 'stop', reason: 'max-age', remove: false });
    expect(decideCull(server({ lastActivity: T0 }), at(7200), policy)).toMatchObject({ reason: 'max-age' });
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
    expect(decideCull(server({ name: 'gpu' }), at(3600), HUB)).toMatchObject({ remove: false });
    expect(decideCull(server({ name: 'gpu' }), at(3600), removing)).toMatchObject({ remove: true });
    expect(decideCull(server({ name: '' }), at(3600), removing)).toMatchObject({ remove: false });
  });
});

describe('effectivePolicy', () => {
  it("lays a profile's cull section over the hub's settings", () => {
    expect(effectivePolicy(HUB, { idleTimeoutSeconds: 900 })).toEqual({ ...HUB, idleTimeoutSeconds: 900 });
    expect(effectivePolicy(HUB, { maxAgeSeconds: 0 })).toEqual(HUB);
    expect(effectivePolicy(HUB, undefined)).toEqual(HUB);
  });
});
