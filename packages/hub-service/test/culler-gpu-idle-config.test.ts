/**
 * A profile's `cull.gpuIdle` rule (issue 9, GPU-idle actions): read from the file as written, and
 * bad thresholds, periods and actions refused at load with the key named.
 */
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-gpu-idle-config-');
const { load, problemsOf } = sandbox;

const ON = 'gpuMetrics:\n  enabled: true\nculler:\n  enabled: true\n';
const CPU = '  - slug: cpu\n    displayName: CPU\n    kind: cpu\n';

/** A config with the CPU profile and a GPU profile whose `cull.gpuIdle` is `rule` (YAML flow map). */
function withRule(rule: string, head = ON): string {
  return `${head}profiles:\n${CPU}  - slug: gpu\n    displayName: GPU\n    kind: gpu\n    resources: { gpus: { count: 1 } }\n    cull:\n      gpuIdle: ${rule}\n`;
}

describe('cull.gpuIdle config', () => {
  it('reads a downshift rule as written', () => {
    const config = load(withRule('{ action: downshift, periodSeconds: 1800, downshiftTo: cpu }'));
    expect(config.profiles[1]?.cull?.gpuIdle).toEqual({ action: 'downshift', periodSeconds: 1800, downshiftTo: 'cpu' });
    expect(load(withRule('{ action: notify, periodSeconds: 60, warningSeconds: 0 }')).profiles[1]?.cull?.gpuIdle?.action).toBe('notify');
  });

  it('refuses bad actions, periods and warnings naming the key', () => {
    expect(problemsOf(withRule('{ action: kill, periodSeconds: 60 }'))[0]).toMatch(/^config error at profiles\[1\]\.cull\.gpuIdle\.action: must be one of/);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 0 }'))).toEqual(['config error at profiles[1].cull.gpuIdle.periodSeconds: must be >= 1']);
    expect(problemsOf(withRule('{ action: stop }'))[0]).toMatch(/^config error at profiles\[1\]\.cull\.gpuIdle/);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 60, warningSeconds: -1 }'))).toEqual(['config error at profiles[1].cull.gpuIdle.warningSeconds: must be >= 0']);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 60, warningSeconds: 61 }'))).toEqual(['config error at profiles[1].cull.gpuIdle.warningSeconds: must be <= periodSeconds']);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 1801 }'))).toEqual([
      'config error at profiles[1].cull.gpuIdle.periodSeconds: must be <= gpuMetrics.historyMinutes × 60 (1800): the hub keeps GPU readings that long',
    ]);
    const longer = 'gpuMetrics:\n  enabled: true\n  historyMinutes: 60\nculler:\n  enabled: true\n';
    expect(load(withRule('{ action: stop, periodSeconds: 3600 }', longer)).profiles[1]?.cull?.gpuIdle?.periodSeconds).toBe(3600);
  });

  it('refuses a downshift without a target, to itself or to a profile that does not exist, and a target for other actions', () => {
    expect(problemsOf(withRule('{ action: downshift, periodSeconds: 60 }'))).toEqual(['config error at profiles[1].cull.gpuIdle.downshiftTo: required when action is downshift']);
    expect(problemsOf(withRule('{ action: downshift, periodSeconds: 60, downshiftTo: gpu }'))).toEqual(['config error at profiles[1].cull.gpuIdle.downshiftTo: must name another profile than this one']);
    expect(problemsOf(withRule('{ action: downshift, periodSeconds: 60, downshiftTo: tiny }'))).toEqual(['config error at profiles[1].cull.gpuIdle.downshiftTo: no profile has the slug "tiny"']);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 60, downshiftTo: cpu }'))).toEqual(['config error at profiles[1].cull.gpuIdle.downshiftTo: only allowed when action is downshift (it is stop)']);
  });

  it('refuses a rule on a CPU profile, or without GPU metrics or the culler', () => {
    expect(problemsOf(`${ON}profiles:\n${CPU}    cull:\n      gpuIdle: { action: stop, periodSeconds: 60 }\n`)).toEqual([
      'config error at profiles[0].cull.gpuIdle: only for profiles of kind gpu or mig (this profile is kind cpu)',
    ]);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 60 }', 'culler:\n  enabled: true\n'))).toEqual([
      'config error at profiles[1].cull.gpuIdle: needs gpuMetrics.enabled: true (GPU idleness is measured by the GPU metrics)',
    ]);
    expect(problemsOf(withRule('{ action: stop, periodSeconds: 60 }', 'gpuMetrics:\n  enabled: true\n'))).toEqual([
      'config error at profiles[1].cull.gpuIdle: needs culler.enabled: true (the built-in culler acts on it)',
    ]);
  });
});
