import { DEFAULT_PROFILES, type ProfileConfig } from '@clusterhub/shared';
import { buildServerEnv, type ServerEnvInput } from './server-env';

const cpu = DEFAULT_PROFILES[0] as ProfileConfig;
const HUB = 'http://127.0.0.1:8081/hub/';

function input(serverName: string, prefix: string): ServerEnvInput {
  return { userName: 'alice', serverName, apiToken: 'tok123', baseUrl: '/', prefix, hubUrl: HUB, profile: cpu, defaultUrl: '/lab' };
}

describe('buildServerEnv (protocol.md §2)', () => {
  it('default server: every variable the hub sets, with its value', () => {
    const env = buildServerEnv(input('', '/user/alice/'));
    expect(env).toMatchObject({
      JUPYTERHUB_API_TOKEN: 'tok123',
      JPY_API_TOKEN: 'tok123',
      JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-alice',
      JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
      JUPYTERHUB_ACTIVITY_URL: 'http://127.0.0.1:8081/hub/api/users/alice/activity',
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_SERVICE_PREFIX: '/user/alice/',
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/user/alice/oauth_callback',
      JUPYTERHUB_USER: 'alice',
      JUPYTERHUB_SERVER_NAME: '',
      JUPYTERHUB_HOST: '',
      JUPYTERHUB_PUBLIC_URL: '',
      JUPYTERHUB_PUBLIC_HUB_URL: '',
      JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED: '0',
      JUPYTERHUB_DEFAULT_URL: '/lab',
      CPU_LIMIT: '2.0',
      CPU_GUARANTEE: '0.5',
      MEM_LIMIT: String(2 * 1024 ** 3),
      MEM_GUARANTEE: String(1024 ** 3),
    });
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES ?? '')).toEqual(['access:servers!server=alice/', 'access:servers!user=alice']);
    expect(env.JUPYTERHUB_OAUTH_SCOPES).toBe(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES);
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES ?? '')).toEqual(['access:servers!server=alice/', 'read:servers!user=alice', 'read:budgets!user=alice']);
    expect(env.JUPYTERHUB_API_URL).toMatch(/\/hub\/api$/);
    // The spawner adds the service URL once it knows the port.
    expect(env).not.toHaveProperty('JUPYTERHUB_SERVICE_URL');
    expect(env).not.toHaveProperty('JUPYTERHUB_SERVICE_NAME');
    expect(Object.values(env).every((v) => typeof v === 'string')).toBe(true);
  });

  it('named server: client id, prefix, callback and scopes carry the server name', () => {
    const env = buildServerEnv(input('gpu', '/user/alice/gpu/'));
    expect(env).toMatchObject({
      JUPYTERHUB_CLIENT_ID: 'jupyterhub-user-alice-gpu',
      JUPYTERHUB_SERVICE_PREFIX: '/user/alice/gpu/',
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/user/alice/gpu/oauth_callback',
      JUPYTERHUB_SERVER_NAME: 'gpu',
      JUPYTERHUB_ACTIVITY_URL: 'http://127.0.0.1:8081/hub/api/users/alice/activity',
      JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
    });
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_ACCESS_SCOPES ?? '')).toEqual(['access:servers!server=alice/gpu', 'access:servers!user=alice']);
    expect(JSON.parse(env.JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES ?? '')).toEqual(['access:servers!server=alice/gpu', 'read:servers!user=alice', 'read:budgets!user=alice']);
    expect(env).not.toHaveProperty('JUPYTERHUB_SERVICE_URL');
  });

  it('the hub variables win over a profile environment that names them', () => {
    const sneaky: ProfileConfig = { ...cpu, environment: { JUPYTERHUB_API_TOKEN: 'stolen', EXTRA: '1' } };
    const env = buildServerEnv({ ...input('', '/user/alice/'), profile: sneaky });
    expect(env.JUPYTERHUB_API_TOKEN).toBe('tok123');
    expect(env.EXTRA).toBe('1');
  });
});
