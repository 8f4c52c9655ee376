/**
 * The GPU source of a kubernetes backend: NVIDIA's dcgm-exporter, one per GPU node. Each round it
 * scrapes every exporter ONCE (never once per server), reads each GPU and MIG instance with the
 * pods the exporter maps to it, and gives a device to the running servers whose pod (the
 * namespace and pod name of the server's handle) holds it. A server whose pod no exporter lists
 * gets no reading (its node's exporter failed, or the exporter maps no pods): a gap, never "idle".
 */
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ResolvedDcgmExporter } from '../../../config/dcgm-exporter';
import { systemClock, type Clock } from '../../../lib/clock';
import { kubernetesHandleOf } from '../../../spawners/kubernetes/kubernetes-spawner';
import type { GpuReading, GpuSample } from '../sample';
import type { GpuSource, GpuSourceDevice, GpuSourceOutcome, GpuWatchedServer } from '../source';
import { dcgmDevices, type DcgmDevice } from './dcgm-devices';
import { endpointLister, type DcgmEndpoint, type DcgmEndpointLister } from './endpoints';
import { parseExposition } from './exposition';
import { fetchMetricsText } from './scrape';

/** Options of {@link createDcgmGpuSource}. */
export interface DcgmGpuSourceOptions {
  /** The name of the kubernetes backend whose servers it measures (`backends.<name>`). */
  readonly backend: string;
  /** Its resolved `dcgmExporter` settings. */
  readonly exporter: ResolvedDcgmExporter;
  /** A scrape or a pod list taking longer fails, ms (`gpuMetrics.commandTimeoutSeconds`). */
  readonly timeoutMs: number;
  /** The backend's API connection; needed when exporter pods are found through the API server. */
  readonly kubeConfig?: () => Promise<KubeConfig>;
  /** Time source (default: the system clock). */
  readonly clock?: Clock;
  /** Lists the endpoints (default: from `exporter`); for tests. */
  readonly endpoints?: DcgmEndpointLister;
}

type Scraped = { readonly endpoint: DcgmEndpoint; readonly devices: DcgmDevice[] } | { readonly endpoint: DcgmEndpoint; readonly error: string };

function podKey(namespace: string, pod: string): string {
  return `${namespace}/${pod}`;
}

/** The `namespace/pod` of a server of a kubernetes backend; null for any other server. */
function podOf(server: GpuWatchedServer, backend: string): string | null {
  const { record } = server;
  if (record.backend !== backend || record.spawnerKind !== 'kubernetes' || record.handle === null) return null;
  const handle = kubernetesHandleOf(record.handle);
  return handle ? podKey(handle.namespace, handle.pod) : null;
}

/** See the module comment. */
export class DcgmGpuSource implements GpuSource {
  /** See {@link GpuSource.name}: `dcgm:<backend>`. */
  readonly name: string;
  private readonly clock: Clock;
  private readonly listEndpoints: DcgmEndpointLister;

  /** Creates the source; nothing runs before {@link collect}. */
  constructor(private readonly options: DcgmGpuSourceOptions) {
    this.name = `dcgm:${options.backend}`;
    this.clock = options.clock ?? systemClock;
    this.listEndpoints = options.endpoints ?? endpointLister(options.exporter, options.kubeConfig, options.timeoutMs);
  }

  /** Servers of its backend with a pod handle. */
  serves(server: GpuWatchedServer): boolean {
    return podOf(server, this.options.backend) !== null;
  }

  private async scrape(endpoint: DcgmEndpoint, at: number): Promise<Scraped> {
    try {
      const exposition = parseExposition(await fetchMetricsText(endpoint.url, this.options.timeoutMs));
      const [problem] = exposition.problems;
      if (exposition.samples.length === 0 && problem) return { endpoint, error: `not Prometheus metrics text (line ${problem.line}: ${problem.message})` };
      return { endpoint, devices: dcgmDevices(exposition.samples, at) };
    } catch (err) {
      return { endpoint, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * One scrape per exporter for all these servers. Rejects when no exporter could be asked (the
   * pod list failed, none is running) or none answered; otherwise the failed ones are in `failures`.
   */
  async collect(servers: readonly GpuWatchedServer[]): Promise<GpuSourceOutcome> {
    const at = this.clock();
    const keyOfPod = new Map<string, string>();
    for (const server of servers) {
      const pod = podOf(server, this.options.backend);
      if (pod !== null) keyOfPod.set(pod, server.key);
    }
    const endpoints = await this.listEndpoints();
    if (endpoints.length === 0) throw new Error('no dcgm-exporter to scrape (no running exporter pod found)');
    const scraped = await Promise.all(endpoints.map((endpoint) => this.scrape(endpoint, at)));
    const failures = new Map<string, string>();
    const devices: GpuSourceDevice[] = [];
    const held = new Map<string, GpuSample[]>();
    for (const result of scraped) {
      if ('error' in result) {
        failures.set(result.endpoint.node, `${result.endpoint.url}: ${result.error}`);
        continue;
      }
      for (const device of result.devices) {
        const holders = [...new Set(device.pods.flatMap((p) => keyOfPod.get(podKey(p.namespace, p.pod)) ?? []))];
        devices.push({ sample: device.sample, holders, node: device.hostname ?? result.endpoint.node });
        for (const key of holders) held.set(key, [...(held.get(key) ?? []), device.sample]);
      }
    }
    if (failures.size === endpoints.length) throw new Error(`no dcgm-exporter answered: ${[...failures.values()].join('; ')}`);
    const readings = new Map<string, GpuReading>([...held].map(([key, samples]) => [key, { at, devices: samples }]));
    return { at, readings, devices, ...(failures.size > 0 ? { failures } : {}) };
  }
}

/**
 * The DCGM source of one kubernetes backend, e.g. for `backends.gpu` with a `dcgmExporter` section:
 * `createDcgmGpuSource({ backend: 'gpu', exporter: k.dcgmExporter, timeoutMs: gpuMetrics.commandTimeoutSeconds * 1000,
 * kubeConfig: () => kubeConfigFor(k.connection), clock })` where `k` is that backend's resolved `kubernetes`.
 */
export function createDcgmGpuSource(options: DcgmGpuSourceOptions): DcgmGpuSource {
  return new DcgmGpuSource(options);
}
