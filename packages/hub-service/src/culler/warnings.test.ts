import type { ServerRecord } from '../store/store';
import { isWarningMessage, lastCullAction } from './warnings';

const T0 = new Date('2026-11-30T14:20:00Z');

function record(over: Partial<ServerRecord>): ServerRecord {
  return {
    id: 1,
    userId: 1,
    name: '',
    displayName: '',
    state: 'stopped',
    profile: 'cpu',
    userOptions: {},
    spawnerKind: null,
    backend: null,
    handle: null,
    target: null,
    started: null,
    lastActivity: T0,
    stopReason: null,
    message: null,
    created: T0,
    ...over,
  };
}

describe('lastCullAction', () => {
  it("is a culler's stop, at the stop the record keeps as its last activity", () => {
    const message = 'This server was stopped at 14:20 UTC after 60 minutes without activity.';
    expect(lastCullAction(record({ stopReason: 'idle', message }))).toEqual({ reason: 'idle', at: T0.toISOString(), message });
    expect(lastCullAction(record({ state: 'failed', stopReason: 'gpu-idle', message: null }))).toEqual({ reason: 'gpu-idle', at: T0.toISOString(), message: null });
  });

  it('is a downshift while the server runs on the cheaper profile, at its restart', () => {
    const message = 'Your GPU server was moved to CPU at 14:20 UTC after 30 minutes without GPU use; your files are as you left them.';
    expect(lastCullAction(record({ state: 'running', started: T0, message }))).toEqual({ reason: 'gpu-idle', at: T0.toISOString(), message });
  });

  it('is null for other stops and for running servers', () => {
    expect(lastCullAction(record({ stopReason: 'user' }))).toBeNull();
    expect(lastCullAction(record({ stopReason: null }))).toBeNull();
    expect(lastCullAction(record({ state: 'running', started: T0, message: 'This server will be stopped at 15:00 UTC after 60 minutes without activity.' }))).toBeNull();
  });
});

describe('isWarningMessage', () => {
  it("knows the culler's warnings and notices, nothing else", () => {
    expect(isWarningMessage('This server will be stopped at 15:00 UTC after 60 minutes without activity. Use it or press Keep alive.')).toBe(true);
    expect(isWarningMessage('GPU idle: this server has not used its GPU since 14:00 UTC.')).toBe(true);
    expect(isWarningMessage('This server was stopped at 14:20 UTC after 60 minutes without activity.')).toBe(false);
    expect(isWarningMessage(null)).toBe(false);
  });
});
