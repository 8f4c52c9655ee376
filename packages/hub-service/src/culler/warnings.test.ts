import type { ServerRecord } from '../store/store';
import { isWarningMessage, lastCullAction, shownWarning, type CullWarning } from './warnings';

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

describe('shownWarning', () => {
  const at = (minutes: number): number => T0.getTime() + minutes * 60_000;
  const warning = (over: Partial<CullWarning>): CullWarning => ({ reason: 'idle', action: 'stop', warnedAt: at(0), actionAt: at(5), message: 'm', keepAlive: true, ...over });

  it('shows a coming stop or downshift before a notice whose time has passed, however early the notice is', () => {
    const notice = warning({ reason: 'budget', action: 'notify', actionAt: at(-30), keepAlive: false });
    const stop = warning({ reason: 'idle', action: 'stop', actionAt: at(5) });
    expect(shownWarning([notice, stop])).toBe(stop);
    expect(shownWarning([stop, notice])).toBe(stop);
  });

  it('among warnings of one kind shows the one due soonest; a notice alone is shown; none gives null', () => {
    const later = warning({ reason: 'max-age', actionAt: at(60), keepAlive: false });
    const sooner = warning({ reason: 'gpu-idle', action: 'downshift', actionAt: at(10) });
    expect(shownWarning([later, sooner])).toBe(sooner);
    const notice = warning({ reason: 'gpu-idle', action: 'notify', actionAt: at(-1) });
    expect(shownWarning([notice])).toBe(notice);
    expect(shownWarning([])).toBeNull();
  });
});
