import { buildLocalProcessEnv, connectHost, formatServiceUrl, formatTarget } from './env';
import type { LocalProcessEnvInput } from './env';

function input(overrides: Partial<LocalProcessEnvInput> = {}): LocalProcessEnvInput {
  return {
    hostEnv: {
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      CONFIGPROXY_AUTH_TOKEN: 'proxy-secret',
      JUPYTERHUB_CRYPT_KEY: 'crypt',
      HOME: '/root',
      USER: 'root',
      AWS_SECRET_ACCESS_KEY: 'aws',
    },
    envKeep: ['PATH', 'LANG', 'VIRTUAL_ENV'],
    requestEnv: { JUPYTERHUB_API_TOKEN: 'tok', JUPYTERHUB_USER: 'alice' },
    user: 'alice',
    home: '/srv/users/alice',
    shell: '/bin/bash',
    serviceUrl: 'http://127.0.0.1:50123/user/alice/',
    environment: {},
    ...overrides,
  };
}

describe('buildLocalProcessEnv', () => {
  it('copies only the envKeep variables from the host environment', () => {
    expect(buildLocalProcessEnv(input())).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      JUPYTERHUB_API_TOKEN: 'tok',
      JUPYTERHUB_USER: 'alice',
      USER: 'alice',
      HOME: '/srv/users/alice',
      SHELL: '/bin/bash',
      JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:50123/user/alice/',
    });
  });

  it('never leaks host secrets, even with an empty envKeep', () => {
    const env = buildLocalProcessEnv(input({ envKeep: [] }));
    expect(env).not.toHaveProperty('CONFIGPROXY_AUTH_TOKEN');
    expect(env).not.toHaveProperty('JUPYTERHUB_CRYPT_KEY');
    expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
    expect(env).not.toHaveProperty('PATH');
    expect(env['HOME']).toBe('/srv/users/alice');
  });

  it('layers: host < request < USER/HOME/SHELL < JUPYTERHUB_SERVICE_URL < admin environment', () => {
    const env = buildLocalProcessEnv(
      input({
        envKeep: ['PATH', 'HOME', 'USER'],
        requestEnv: { PATH: '/request/bin', HOME: '/request/home', JUPYTERHUB_SERVICE_URL: 'http://request/', X: 'request' },
        environment: { X: 'admin', SHELL: '/bin/zsh' },
      }),
    );
    expect(env['PATH']).toBe('/request/bin');
    expect(env['HOME']).toBe('/srv/users/alice');
    expect(env['USER']).toBe('alice');
    expect(env['JUPYTERHUB_SERVICE_URL']).toBe('http://127.0.0.1:50123/user/alice/');
    expect(env['X']).toBe('admin');
    expect(env['SHELL']).toBe('/bin/zsh');
  });

  it('lets the admin environment override even the service URL', () => {
    const env = buildLocalProcessEnv(input({ environment: { JUPYTERHUB_SERVICE_URL: 'http://0.0.0.0:9999/user/alice/' } }));
    expect(env['JUPYTERHUB_SERVICE_URL']).toBe('http://0.0.0.0:9999/user/alice/');
  });

  it('keeps odd names as plain keys', () => {
    const env = buildLocalProcessEnv(input({ requestEnv: { ['__proto__']: 'x', constructor: 'y' } }));
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
  });
});

describe('URLs', () => {
  it('formats the service URL with the prefix, bracketing IPv6', () => {
    expect(formatServiceUrl('127.0.0.1', 8888, '/user/alice/')).toBe('http://127.0.0.1:8888/user/alice/');
    expect(formatServiceUrl('::1', 8888, '/user/a/gpu/')).toBe('http://[::1]:8888/user/a/gpu/');
  });

  it('connects to the loopback address when the server listens on all interfaces', () => {
    expect(connectHost('0.0.0.0')).toBe('127.0.0.1');
    expect(connectHost('')).toBe('127.0.0.1');
    expect(connectHost('::')).toBe('::1');
    expect(connectHost('10.0.0.5')).toBe('10.0.0.5');
    expect(formatTarget('0.0.0.0', 5000)).toBe('http://127.0.0.1:5000');
    expect(formatTarget('::', 5000)).toBe('http://[::1]:5000');
  });
});
