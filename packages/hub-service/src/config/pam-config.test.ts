import { stringify } from 'yaml';
import { useConfigSandbox } from './testing/config-sandbox';
import { defaultPamPython } from './pam-config';

/** `auth.pam` through the real loader: schema, the checks of pam-config.ts (each naming its key) and resolution. */
const sandbox = useConfigSandbox('clusterhub-pam-config-');

function pamConfig(pam: Record<string, unknown> | undefined, spawner: Record<string, unknown> = {}): string {
  return stringify({ hub: { dataDir: 'data' }, spawner, auth: { kind: 'pam', ...(pam === undefined ? {} : { pam }) } });
}

// `login` is a PAM service every Debian system has (package login).
const minimal = { allowAll: true };

describe('auth.pam config', () => {
  it('resolves defaults: service login, the setup venv Python, Unix groups not synced', () => {
    const config = sandbox.load(pamConfig({ allowedGroups: ['lab'] }));
    expect(config.auth.kind).toBe('pam');
    expect(config.auth.pam).toEqual({
      service: 'login',
      python: defaultPamPython(),
      timeoutSeconds: 20,
      minUid: 1000,
      allowAll: false,
      allowedUsers: [],
      allowedGroups: ['lab'],
      adminGroups: [],
      manageGroups: false,
    });
    expect(config.auth.ldap).toBeNull();
  });

  it('takes an absolute python that can run', () => {
    expect(sandbox.load(pamConfig({ ...minimal, python: process.execPath })).auth.pam?.python).toBe(process.execPath);
  });

  it.each<[string, Record<string, unknown> | undefined, Record<string, unknown>, string]>([
    ['the section missing', undefined, {}, 'auth.pam: required when auth.kind is pam'],
    ['a service without a PAM file', { ...minimal, service: 'clusterhub-no-such-service' }, {}, 'auth.pam.service: no PAM service file /etc/pam.d/clusterhub-no-such-service'],
    ['a relative python', { ...minimal, python: 'python3' }, {}, 'auth.pam.python: must be an absolute path'],
    ['a python that is not there', { ...minimal, python: '/nonexistent/python3' }, {}, 'auth.pam.python: cannot run /nonexistent/python3 (ENOENT)'],
    ['nobody allowed', {}, {}, 'auth.pam.allowedGroups: nobody could log in'],
    ['an invalid allowed user', { ...minimal, allowedUsers: ['a/b'] }, {}, 'auth.pam.allowedUsers[0]: "a/b" is not a valid user name'],
    ['an account template other than {username}', minimal, { systemUserTemplate: 'jupyter-{username}' }, 'spawner.systemUserTemplate: must be {username} with auth.kind pam'],
  ])('refuses %s, naming the key', (_what, pam, spawner, expected) => {
    expect(sandbox.problemsOf(pamConfig(pam, spawner)).join('\n')).toContain(`config error at ${expected}`);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a service name with a slash', { ...minimal, service: '../shadow' }, 'auth.pam.service'],
    ['a service name starting with a dot', { ...minimal, service: '.hidden' }, 'auth.pam.service'],
    ['a zero timeout', { ...minimal, timeoutSeconds: 0 }, 'auth.pam.timeoutSeconds'],
    ['a zero minUid', { ...minimal, minUid: 0 }, 'auth.pam.minUid'],
    ['a non-integer minUid', { ...minimal, minUid: 'many' }, 'auth.pam.minUid'],
    ['an unknown key', { ...minimal, password: 'x' }, 'auth.pam'],
  ])('refuses %s in the schema, naming the key', (_what, pam, key) => {
    expect(sandbox.problemsOf(pamConfig(pam)).join('\n')).toContain(key);
  });
});
