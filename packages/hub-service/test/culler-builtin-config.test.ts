/**
 * The `culler` config section (issue 9, built-in culler): defaults, and bad values refused at load
 * with the key named, including a profile's `cull` override.
 */
import { loadConfig } from '../src/config/load';
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-culler-config-');
const { load, problemsOf } = sandbox;

describe('culler config', () => {
  it('is off by default: one hour idle timeout, no max age, every 5 minutes, named servers kept', () => {
    const expected = { enabled: false, intervalSeconds: 300, idleTimeoutSeconds: 3600, maxAgeSeconds: 0, removeNamedServers: false };
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).culler).toEqual(expected);
    expect(load('culler:\n').culler).toEqual(expected);
  });

  it('reads the settings', () => {
    const config = load('culler:\n  enabled: true\n  intervalSeconds: 30\n  idleTimeoutSeconds: 600\n  maxAgeSeconds: 86400\n  removeNamedServers: true\n');
    expect(config.culler).toEqual({ enabled: true, intervalSeconds: 30, idleTimeoutSeconds: 600, maxAgeSeconds: 86400, removeNamedServers: true });
  });

  it('refuses bad values naming the key', () => {
    expect(problemsOf('culler:\n  intervalSeconds: 0\n')).toEqual(['config error at culler.intervalSeconds: must be >= 1']);
    expect(problemsOf('culler:\n  idleTimeoutSeconds: -1\n')).toEqual(['config error at culler.idleTimeoutSeconds: must be >= 0']);
    expect(problemsOf('culler:\n  maxAgeSeconds: 1.5\n')).toEqual(['config error at culler.maxAgeSeconds: must be integer']);
    expect(problemsOf('culler:\n  removeNamedServers: "yes"\n')).toEqual(['config error at culler.removeNamedServers: must be boolean']);
    expect(problemsOf('culler:\n  idleTimeout: 5\n')).toEqual(['config error at culler: unknown key "idleTimeout"']);
  });

  it("refuses a bad per-profile cull override naming the profile's key", () => {
    const problems = problemsOf('profiles:\n  - slug: cpu\n    displayName: CPU\n    kind: cpu\n    cull:\n      idleTimeoutSeconds: -5\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^config error at profiles\[0\]\.cull\.idleTimeoutSeconds: must be >= 0/);
  });
});
