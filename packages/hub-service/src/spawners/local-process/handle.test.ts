import { parseLocalProcessHandle, toSpawnHandle } from './handle';

const handle = { pid: 4242, pgid: 4242, port: 50123, ip: '127.0.0.1', startedAt: 99887, logPath: '/srv/alice/.clusterhub/default.log' };

describe('local-process handle', () => {
  it('round-trips through JSON', () => {
    expect(parseLocalProcessHandle(JSON.parse(JSON.stringify(toSpawnHandle(handle))))).toEqual(handle);
  });

  it.each([
    {},
    { ...handle, pid: 0 },
    { ...handle, pid: '4242' },
    { ...handle, port: 1.5 },
    { ...handle, startedAt: -1 },
    { ...handle, ip: null },
    { fakeServerId: 'x', port: 1 },
  ])('refuses %j', (bad) => {
    expect(parseLocalProcessHandle(bad)).toBeNull();
  });
});
