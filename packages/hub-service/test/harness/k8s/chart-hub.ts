/**
 * A whole hub run from what the Helm chart renders, outside a pod (test tooling; see
 * docs/kubernetes-testing.md): the chart's RBAC applied to the real test API server, the files a
 * pod of the chart's ServiceAccount would see under /var/run/secrets/kubernetes.io/serviceaccount
 * (a TokenRequest token, the cluster CA, the namespace) written to a folder of the test's, the
 * environment the kubelet gives every container (KUBERNETES_SERVICE_HOST/PORT), the rendered config
 * with only what differs outside a pod changed, and a log that keeps every line for the test.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { parse } from 'yaml';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { HubConfig } from '@clusterhub/shared';
import { createLogger, type Logger } from '../../../src/observability/logger';
import type { Manifest } from '../helm';

/** The kinds of the chart's RBAC objects. */
export const RBAC_KINDS: readonly string[] = ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];

/** Applies the rendered RBAC objects as the admin (server-side apply: idempotent across runs); returns `Kind/name` of each. */
export async function applyChartRbac(admin: KubeConfig, rendered: readonly Manifest[]): Promise<string[]> {
  const k8s = await import('@kubernetes/client-node');
  const objects = k8s.KubernetesObjectApi.makeApiClient(admin);
  const applied: string[] = [];
  for (const m of rendered.filter((x) => RBAC_KINDS.includes(x.kind))) {
    await objects.patch(m as KubernetesObject, undefined, undefined, 'clusterhub-test', true, k8s.PatchStrategy.ServerSideApply);
    applied.push(`${m.kind}/${m.metadata.name}`);
  }
  return applied;
}

/** The files of a pod's ServiceAccount volume, in a folder of the test's. */
export interface ServiceAccountFiles {
  readonly dir: string;
  readonly tokenFile: string;
  readonly caFile: string;
  /** The token itself (for the test's own calls as the ServiceAccount). */
  readonly token: string;
}

/**
 * What the kubelet mounts for a pod of ServiceAccount `name` in `namespace`: a TokenRequest token
 * (`token`), the cluster's CA (`ca.crt`) and `namespace`, here in a fresh temporary folder.
 */
export async function serviceAccountFiles(admin: KubeConfig, sa: { readonly namespace: string; readonly name: string }, clusterCaFile: string): Promise<ServiceAccountFiles> {
  const k8s = await import('@kubernetes/client-node');
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({ name: sa.name, namespace: sa.namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token ?? '';
  if (!token) throw new Error(`no token for the ServiceAccount ${sa.namespace}/${sa.name}`);
  const dir = mkdtempSync(join(tmpdir(), 'chart-hub-sa-'));
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  copyFileSync(clusterCaFile, caFile);
  writeFileSync(join(dir, 'namespace'), sa.namespace);
  return { dir, tokenFile, caFile, token };
}

/** KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT as the kubelet sets them, for the API server at `apiUrl`. */
export function inClusterEnv(apiUrl: string): { KUBERNETES_SERVICE_HOST: string; KUBERNETES_SERVICE_PORT: string } {
  const url = new URL(apiUrl);
  return { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port || '443' };
}

/** The rendered config with what differs outside a pod changed, and the keys changed. */
export interface OutsideThePod {
  readonly config: HubConfig;
  readonly changed: readonly string[];
}

/**
 * The chart's rendered config file (the config Secret's `config.yaml`) for a hub run outside a pod:
 * `hub.public`, `hub.internal` and `hub.dataDir` dropped (the test hub's free loopback ports and
 * temporary folder replace them), `hub.connectUrl` dropped (the hub Service's cluster DNS name:
 * user servers call the hub's own address instead), and in each kubernetes backend that uses the
 * in-cluster connection (no `apiServer`, no `kubeconfigFile`) `tokenFile` and `caFile` pointed at
 * `sa`'s folder instead of the pod's ServiceAccount volume. Nothing else changes.
 */
export function outsideThePod(renderedConfigYaml: string, sa: ServiceAccountFiles): OutsideThePod {
  const config = parse(renderedConfigYaml) as HubConfig;
  const changed: string[] = [];
  const hub: Record<string, unknown> = { ...(config.hub ?? {}) };
  for (const key of ['public', 'internal', 'dataDir', 'connectUrl']) {
    if (key in hub) {
      delete hub[key];
      changed.push(`hub.${key}`);
    }
  }
  const backends = Object.fromEntries(
    Object.entries(config.backends ?? {}).map(([name, backend]) => {
      const k = backend.kubernetes;
      if (backend.kind !== 'kubernetes' || !k || k.apiServer !== undefined || k.kubeconfigFile !== undefined) return [name, backend];
      changed.push(`backends.${name}.kubernetes.tokenFile`, `backends.${name}.kubernetes.caFile`);
      return [name, { ...backend, kubernetes: { ...k, tokenFile: sa.tokenFile, caFile: sa.caFile } }];
    }),
  );
  return { config: { ...config, hub, backends }, changed };
}

/** A logger that keeps every JSON line it writes. */
export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: string[];
  /** The lines that tell of a refusal by the API server (HTTP 403, "forbidden"). */
  refusals(): string[];
}

/** A debug-level logger for the hub whose lines the test reads (see {@link CapturedLog}). */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const destination: DestinationStream = {
    write(msg: string): void {
      lines.push(msg);
    },
  };
  return {
    logger: createLogger({ level: 'debug', destination }),
    lines,
    refusals: () => lines.filter((l) => /forbidden|HTTP-Code: 403|"(status|statusCode|code)":403\b/i.test(l)),
  };
}

/**
 * What the API server says about a pod that is not ready and about its claim (phase, node,
 * conditions, container states, the claim's phase and volume, the pod's and claim's events), for a
 * test's failure message.
 */
export async function explainPod(admin: KubeConfig, namespace: string, pod: string, claim: string): Promise<string> {
  const k8s = await import('@kubernetes/client-node');
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const p = await core.readNamespacedPod({ namespace, name: pod }).catch((err: unknown) => String(err));
  const c = await core.readNamespacedPersistentVolumeClaim({ namespace, name: claim }).catch((err: unknown) => String(err));
  const events = (await core.listNamespacedEvent({ namespace })).items.filter((e) => [pod, claim].includes(e.involvedObject.name ?? ''));
  return JSON.stringify({
    pod: typeof p === 'string' ? p : { phase: p.status?.phase, node: p.spec?.nodeName, conditions: p.status?.conditions?.map((x) => `${x.type}=${x.status} ${x.reason ?? ''} ${x.message ?? ''}`), containers: p.status?.containerStatuses?.map((x) => x.state) },
    claim: typeof c === 'string' ? c : { phase: c.status?.phase, volume: c.spec?.volumeName, annotations: c.metadata?.annotations },
    events: events.map((e) => `${e.involvedObject.kind ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`),
  });
}
