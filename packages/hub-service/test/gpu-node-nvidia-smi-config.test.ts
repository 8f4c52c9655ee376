/**
 * `gpuMetrics.nodeNvidiaSmi`, the nvidia-smi of Slurm compute nodes (docs/gpu-metrics.md, Slurm):
 * kept as written (it is a path on the nodes, never resolved against the config file's folder),
 * and refused at load with the key named when it cannot name a program there.
 */
import { useConfigSandbox } from '../src/config/testing/config-sandbox';

const { load, problemsOf } = useConfigSandbox('clusterhub-gpu-node-config-');

describe('gpuMetrics.nodeNvidiaSmi', () => {
  it('defaults to nvidia-smi in the job step\'s PATH and keeps an absolute path or a bare name as written', () => {
    expect(load('gpuMetrics:\n').gpuMetrics.nodeNvidiaSmi).toBe('nvidia-smi');
    expect(load('gpuMetrics:\n  nodeNvidiaSmi: /opt/nvidia/bin/nvidia-smi\n').gpuMetrics.nodeNvidiaSmi).toBe('/opt/nvidia/bin/nvidia-smi');
    expect(load('gpuMetrics:\n  nodeNvidiaSmi: nvidia-smi-580\n').gpuMetrics.nodeNvidiaSmi).toBe('nvidia-smi-580');
  });

  it('refuses a relative path, an option-like or odd name, control characters and an empty value, naming the key', () => {
    expect(problemsOf('gpuMetrics:\n  nodeNvidiaSmi: bin/nvidia-smi\n')).toEqual([
      'config error at gpuMetrics.nodeNvidiaSmi: "bin/nvidia-smi" is a relative path; give an absolute path on the compute nodes (e.g. /usr/bin/nvidia-smi) or a bare name',
    ]);
    expect(problemsOf('gpuMetrics:\n  nodeNvidiaSmi: --gres=gpu:8\n')).toEqual([
      'config error at gpuMetrics.nodeNvidiaSmi: "--gres=gpu:8" is not a program name (letters, digits, ., _, +, -; not starting with - or .)',
    ]);
    for (const bad of ['"nvidia smi"', '..', '"nvidia-smi;id"', '"$(id)"']) {
      expect(problemsOf(`gpuMetrics:\n  nodeNvidiaSmi: ${bad}\n`)).toEqual([expect.stringMatching(/^config error at gpuMetrics\.nodeNvidiaSmi: .* is not a program name/)]);
    }
    expect(problemsOf('gpuMetrics:\n  nodeNvidiaSmi: "/usr/bin/nvidia-smi\\n-x"\n')).toEqual(['config error at gpuMetrics.nodeNvidiaSmi: must not hold control characters']);
    expect(problemsOf('gpuMetrics:\n  nodeNvidiaSmi: ""\n')).toEqual(['config error at gpuMetrics.nodeNvidiaSmi: must NOT have fewer than 1 characters']);
    expect(problemsOf('gpuMetrics:\n  nodeNvidiaSmi: 5\n')).toEqual(['config error at gpuMetrics.nodeNvidiaSmi: must be string']);
  });
});
