/**
 * The GPU sources of a hub's configuration: nvidia-smi on the hub's machine for local-process
 * servers (the monitor's own), nvidia-smi on the compute nodes of each Slurm backend, the DCGM
 * exporter of each Kubernetes backend that names one. PBS backends have no GPU source yet.
 */
import type { ResolvedConfig } from '../../config/types';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../observability/logger';
import { kubeConfigFor } from '../../spawners/kubernetes/create';
import { createDcgmGpuSource } from './dcgm/dcgm-source';
import { createSlurmGpuSource } from './slurm/slurm-gpu-source';
import type { GpuSource } from './source';

/** The sources of the configured backends besides the local one; logs the backends left without. */
export function backendGpuSources(config: ResolvedConfig, deps: { readonly clock: Clock; readonly logger: Logger }): GpuSource[] {
  const sources: GpuSource[] = [];
  for (const backend of Object.values(config.backends)) {
    if (backend.kind === 'slurm') {
      sources.push(createSlurmGpuSource({ backend, settings: config.gpuMetrics, clock: deps.clock, logger: deps.logger }));
    } else if (backend.kind === 'kubernetes' && backend.kubernetes?.dcgmExporter) {
      const { connection, dcgmExporter } = backend.kubernetes;
      sources.push(
        createDcgmGpuSource({
          backend: backend.name,
          exporter: dcgmExporter,
          timeoutMs: config.gpuMetrics.commandTimeoutSeconds * 1000,
          kubeConfig: () => kubeConfigFor(connection),
          clock: deps.clock,
        }),
      );
    } else {
      deps.logger.info({ backend: backend.name, kind: backend.kind }, 'no GPU source for this backend: its servers have no GPU metrics');
    }
  }
  return sources;
}
