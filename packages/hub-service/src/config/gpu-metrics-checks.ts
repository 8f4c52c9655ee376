/**
 * Rules of the `gpuMetrics` section the schema cannot express (docs/gpu-metrics.md): the nvidia-smi
 * of Slurm compute nodes must name a program there.
 */
import type { HubConfig } from '@clusterhub/shared';

/** A bare program name (looked up in PATH); never one that starts with `-`, which srun would read as an option. */
const BARE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;

/** Control characters (C0, DEL, C1): no path on a compute node holds them. */
const CONTROL = /\p{Cc}/u;

/**
 * Why `gpuMetrics.nodeNvidiaSmi` is unusable, or null. It is run on the compute nodes (never on
 * the hub's machine), so a relative path, which would mean nothing there, is refused.
 */
function nodeNvidiaSmiProblem(value: string): string | null {
  if (CONTROL.test(value)) return 'must not hold control characters';
  if (value.startsWith('/')) return null;
  if (value.includes('/')) return `${JSON.stringify(value)} is a relative path; give an absolute path on the compute nodes (e.g. /usr/bin/nvidia-smi) or a bare name`;
  if (!BARE_NAME.test(value)) return `${JSON.stringify(value)} is not a program name (letters, digits, ., _, +, -; not starting with - or .)`;
  return null;
}

/** Rules of the `gpuMetrics` section the schema cannot express; one `config error at <path>` line per problem. */
export function gpuMetricsProblems(doc: HubConfig): string[] {
  const value = doc.gpuMetrics?.nodeNvidiaSmi;
  const problem = value === undefined ? null : nodeNvidiaSmiProblem(value);
  return problem === null ? [] : [`config error at gpuMetrics.nodeNvidiaSmi: ${problem}`];
}
