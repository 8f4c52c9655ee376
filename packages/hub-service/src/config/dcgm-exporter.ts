import type { DcgmExporterConfig } from '@clusterhub/shared';

/** The metrics port of dcgm-exporter pods when `port` is not set. */
export const DEFAULT_DCGM_EXPORTER_PORT = 9400;

/**
 * Where a kubernetes backend's GPU metrics come from (its `dcgmExporter` section, resolved): a
 * fixed list of exporter URLs, or the running exporter pods found by namespace and label selector.
 */
export type ResolvedDcgmExporter =
  | { readonly kind: 'urls'; readonly urls: readonly string[] }
  | { readonly kind: 'pods'; readonly namespace: string; readonly labelSelector: string; readonly port: number };

/**
 * Rules of a `dcgmExporter` section the schema cannot express: `urls`, or `namespace` with
 * `labelSelector` (and an optional `port`), never both. One `config error at <key>` line per problem.
 *
 * @param path the section's key (`backends.gpu.kubernetes.dcgmExporter`).
 */
export function dcgmExporterProblems(path: string, section: DcgmExporterConfig): string[] {
  const problems: string[] = [];
  const at = (key: string, why: string): void => void problems.push(`config error at ${path}${key}: ${why}`);
  const discovery = (['namespace', 'labelSelector', 'port'] as const).filter((key) => section[key] !== undefined);
  if (section.urls !== undefined) {
    for (const key of discovery) at(`.${key}`, 'only used to find exporter pods; remove it or remove urls');
    return problems;
  }
  if (discovery.length === 0) {
    at('', 'set urls (the exporters\u2019 metrics URLs), or namespace and labelSelector (the exporter pods)');
    return problems;
  }
  if (section.namespace === undefined) at('.namespace', 'required with labelSelector: the namespace of the exporter pods');
  if (section.labelSelector === undefined) at('.labelSelector', 'required to find the exporter pods (e.g. app=nvidia-dcgm-exporter)');
  return problems;
}

/** A metrics URL as it is scraped: one given without a path (or with `/` alone) gets `/metrics`. */
export function metricsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '/') parsed.pathname = '/metrics';
  return parsed.toString();
}

/** Resolves a checked `dcgmExporter` section (see {@link dcgmExporterProblems}). */
export function resolveDcgmExporter(section: DcgmExporterConfig): ResolvedDcgmExporter {
  if (section.urls !== undefined) return { kind: 'urls', urls: [...new Set(section.urls.map(metricsUrl))] };
  return {
    kind: 'pods',
    namespace: section.namespace ?? '',
    labelSelector: section.labelSelector ?? '',
    port: section.port ?? DEFAULT_DCGM_EXPORTER_PORT,
  };
}
