import { launchArgv } from './launch';

const alice = { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', switchUser: true };

describe('launchArgv', () => {
  it('limits memory as root, drops to the account with its groups, sets umask 077, then execs the server', () => {
    const { file, args } = launchArgv({ command: '/venv/bin/jupyterhub-singleuser', args: ['--debug'], account: alice, dataLimitBytes: 1024 });
    expect([file, ...args].map((a) => a.replace(/^\/(usr\/)?s?bin\/(prlimit|setpriv)$/, '$2'))).toEqual([
      'prlimit',
      '--data=1024:1024',
      '--',
      'setpriv',
      '--reuid=1001',
      '--regid=1001',
      '--init-groups',
      '--',
      '/bin/sh',
      '-c',
      'umask 077 && exec "$0" "$@"',
      '/venv/bin/jupyterhub-singleuser',
      '--debug',
    ]);
  });

  it('switches no user in single-person mode and sets no limit without one', () => {
    const { file, args } = launchArgv({ command: 'x', args: [], account: { ...alice, switchUser: false }, dataLimitBytes: null });
    expect([file, ...args]).toEqual(['/bin/sh', '-c', 'umask 077 && exec "$0" "$@"', 'x']);
  });

  it('never adds --allow-root', () => {
    const { args } = launchArgv({ command: 'x', args: [], account: alice, dataLimitBytes: null });
    expect(args.join(' ')).not.toContain('allow-root');
  });
});
