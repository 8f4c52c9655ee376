/**
 * The `gpuMetrics` config section (issue 9): defaults, resolution of the nvidia-smi path, and bad
 * values refused at load with the key named.
 */
import { join } from 'node:path';
import { loadConfig } from '../src/config/load';
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-gpu-config-');
const { load, problemsOf } = sandbox;

describe('gpuMetrics config', () => {
  it('is off by default, sampling nvidia-smi from PATH every 5 s with 30 minutes of history', () => {
    expect(loadConfig(null, { env: {}, cwd: sandbox.dir }).gpuMetrics).toEqual({
      enabled: false,
      nvidiaSmi: 'nvidia-smi',
      nodeNvidiaSmi: 'nvidia-smi',
      intervalSeconds: 5,
      commandTimeoutSeconds: 20,
      historyMinutes: 30,
      idleThresholdPercent: 10,
    });
    expect(load('gpuMetrics:\n').gpuMetrics.enabled).toBe(false);
  });

  it('reads the settings, resolving a relative nvidia-smi path against the file\'s folder and keeping a bare name for PATH', () => {
    const config = load(
      ['gpuMetrics:', '  enabled: true', '  nvidiaSmi: tools/nvidia-smi', '  intervalSeconds: 2', '  commandTimeoutSeconds: 4', '  historyMinutes: 60', '  idleThresholdPercent: 5'].join('\n'),
    );
    expect(config.gpuMetrics).toEqual({
      enabled: true,
      nvidiaSmi: join(sandbox.dir, 'tools', 'nvidia-smi'),
      nodeNvidiaSmi: 'nvidia-smi',
      intervalSeconds: 2,
      commandTimeoutSeconds: 4,
      historyMinutes: 60,
      idleThresholdPercent: 5,
    });
    expect(load('gpuMetrics:\n  nvidiaSmi: /usr/bin/nvidia-smi\n').gpuMetrics.nvidiaSmi).toBe('/usr/bin/nvidia-smi');
  });

  it('refuses bad values, naming the key', () => {
    expect(problemsOf('gpuMetrics:\n  intervalSeconds: 0\n')).toEqual(['config error at gpuMetrics.intervalSeconds: must be >= 1']);
    expect(problemsOf('gpuMetrics:\n  intervalSeconds: 301\n')).toEqual(['config error at gpuMetrics.intervalSeconds: must be <= 300']);
    expect(problemsOf('gpuMetrics:\n  commandTimeoutSeconds: 0.5\n')).toEqual(['config error at gpuMetrics.commandTimeoutSeconds: must be >= 1']);
    expect(problemsOf('gpuMetrics:\n  historyMinutes: 0\n')).toEqual(['config error at gpuMetrics.historyMinutes: must be >= 1']);
    expect(problemsOf('gpuMetrics:\n  idleThresholdPercent: 101\n')).toEqual(['config error at gpuMetrics.idleThresholdPercent: must be <= 100']);
    expect(problemsOf('gpuMetrics:\n  nvidiaSmi: ""\n')).toEqual(['config error at gpuMetrics.nvidiaSmi: must NOT have fewer than 1 characters']);
    expect(problemsOf('gpuMetrics:\n  enabled: "yes please"\n')).toEqual(['config error at gpuMetrics.enabled: must be boolean']);
    expect(problemsOf('gpuMetrics:\n  interval: 5\n')).toEqual(['config error at gpuMetrics: unknown key "interval"']);
  });

  it('refuses a history that would keep too many readings per server, naming both keys', () => {
    const [problem, ...rest] = problemsOf('gpuMetrics:\n  historyMinutes: 1440\n  intervalSeconds: 1\n');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^config error at gpuMetrics\.historyMinutes: .*gpuMetrics\.intervalSeconds.*86400 readings per server/);
    expect(load('gpuMetrics:\n  historyMinutes: 1440\n  intervalSeconds: 5\n').gpuMetrics.historyMinutes).toBe(1440);
  });
});
