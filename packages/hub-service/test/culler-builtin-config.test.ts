/**
 * The `culler` config section (issue 9, built-in culler): defaults, and bad values refused at load
 * with the key named, including a profile's `cull` override.
 */
import { loadConfig } from '../src/config/load';
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-culler-config-');
const { load, problemsOf } = sandbox;

describe('culler config', () => {
  it('is off by default: one hour idle timeout, no max age, every 5 minutes, named servers kept, warned 5 minutes ahead, no webhook', () => {
    const expected = { enabled: false, intervalSeconds: 300, idleTimeoutSeconds: 3600, maxAgeSeconds: 0, removeNamedServers: false, warningSeconds: 300, webhook: null };
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).culler).toEqual(expected);
    expect(load('culler:\n').culler).toEqual(expected);
  });

  it('reads the settings', () => {
    const config = load('culler:\n  enabled: true\n  intervalSeconds: 30\n  idleTimeoutSeconds: 600\n  maxAgeSeconds: 86400\n  removeNamedServers: true\n  warningSeconds: 0\n');
    expect(config.culler).toEqual({ enabled: true, intervalSeconds: 30, idleTimeoutSeconds: 600, maxAgeSeconds: 86400, removeNamedServers: true, warningSeconds: 0, webhook: null });
  });

  it('reads the webhook, its signing key from the named variable, its default timeout', () => {
    const yaml = 'culler:\n  webhook:\n    url: https://mail-relay.example/culler\n    secretEnv: CULLER_HOOK_KEY\n';
    expect(load(yaml, { CULLER_HOOK_KEY: 's3cret' }).culler.webhook).toEqual({
      url: 'https://mail-relay.example/culler',
      secret: 's3cret',
      timeoutSeconds: 10,
    });
    expect(load('culler:\n  webhook: { url: "http://127.0.0.1:9000/hook", timeoutSeconds: 2.5 }\n').culler.webhook).toEqual({ url: 'http://127.0.0.1:9000/hook', secret: null, timeoutSeconds: 2.5 });
  });

  it('refuses bad warning and webhook settings naming the key', () => {
    expect(problemsOf('culler:\n  warningSeconds: -1\n')).toEqual(['config error at culler.warningSeconds: must be >= 0']);
    expect(problemsOf('culler:\n  warningSeconds: 100000\n')).toEqual(['config error at culler.warningSeconds: must be <= 86400']);
    expect(problemsOf('culler:\n  webhook: { secretEnv: KEY }\n')).toEqual(["config error at culler.webhook: missing required key \"url\""]);
    expect(problemsOf('culler:\n  webhook: { url: "ftp://relay.example/x" }\n')).toEqual([expect.stringMatching(/^config error at culler\.webhook\.url: /)]);
    expect(problemsOf('culler:\n  webhook: { url: "not a url" }\n')).toEqual(expect.arrayContaining([expect.stringMatching(/^config error at culler\.webhook\.url: /)]));
    expect(problemsOf('culler:\n  webhook: { url: "http://relay.example/x", timeoutSeconds: 0 }\n')).toEqual([expect.stringMatching(/^config error at culler\.webhook\.timeoutSeconds: /)]);
    expect(problemsOf('culler:\n  webhook: { url: "http://relay.example/x", retries: 3 }\n')).toEqual(['config error at culler.webhook: unknown key "retries"']);
    expect(problemsOf('culler:\n  webhook: { url: "http://relay.example/x", secretEnv: CULLER_HOOK_KEY }\n')).toEqual([
      "config error at culler.webhook.secretEnv: the environment variable CULLER_HOOK_KEY is unset or empty (it must hold the webhook's signing key)",
    ]);
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
    const warning = problemsOf('profiles:\n  - slug: cpu\n    displayName: CPU\n    kind: cpu\n    cull:\n      warningSeconds: -1\n');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/^config error at profiles\[0\]\.cull\.warningSeconds: must be >= 0/);
  });
});
