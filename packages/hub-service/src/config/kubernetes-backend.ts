import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import type { BatchBackendConfig, KubernetesBackendConfig } from '@clusterhub/shared';
import type { KubernetesPodSettings } from '../spawners/kubernetes/manifests';
import { dcgmExporterProblems, resolveDcgmExporter, type ResolvedDcgmExporter } from './dcgm-exporter';
import { pvcName } from '../spawners/kubernetes/names';
import { ConfigError } from './config-error';
import { envValue } from './semantic-checks';
import { filled } from './filled';

/** Whose pods the capacity watch counts (`kubernetes.capacityPods`). */
export type CapacityPods = NonNullable<KubernetesBackendConfig['capacityPods']>;

/** How the hub reaches the API server: a kubeconfig file, or a URL with a CA and a token (a file re-read as it rotates, or a value). */
export type KubernetesConnection =
  | { readonly kind: 'kubeconfig'; readonly file: string }
  | { readonly kind: 'token'; readonly server: string; readonly caFile: string; readonly tokenFile: string | null; readonly token: string | null };

/** A `kubernetes` backend resolved: defaults filled, paths made absolute, the connection chosen. */
export interface ResolvedKubernetesBackend {
  readonly connection: KubernetesConnection;
  /** Namespace, image, uid, storage, … of every pod. */
  readonly pod: KubernetesPodSettings;
  readonly cmd: readonly string[];
  readonly args: readonly string[];
  /** Where the GPU metrics of its pods come from; null: none (no dcgmExporter section). */
  readonly dcgmExporter: ResolvedDcgmExporter | null;
  /** Whose pods the free GPU/MIG counts subtract: the backend's namespace's, or every namespace's. */
  readonly capacityPods: CapacityPods;
}

/**
 * Rules of a backend's `kubernetes` section the schema cannot express: present exactly when the kind
 * is kubernetes; no SSH transport; a token variable that is set; an API server URL when the hub runs
 * outside a cluster. One `config error at <path>` line per problem.
 */
export function kubernetesBackendProblems(name: string, backend: BatchBackendConfig, env: NodeJS.ProcessEnv): string[] {
  const path = `backends.${name}`;
  const problems: string[] = [];
  const at = (key: string, why: string): void => void problems.push(`config error at ${key}: ${why}`);
  const k = backend.kubernetes;
  if (backend.kind !== 'kubernetes') {
    if (k !== undefined) at(`${path}.kubernetes`, `only used by kind kubernetes; this backend is ${backend.kind}`);
    return problems;
  }
  if (k === undefined) {
    at(`${path}.kubernetes`, 'required when kind is kubernetes (namespace, image, and how to reach the API server)');
    return problems;
  }
  const template = k.storage?.nameTemplate;
  if (template !== undefined) {
    try {
      pvcName(template, 'a', '');
    } catch (err) {
      at(`${path}.kubernetes.storage.nameTemplate`, err instanceof Error ? err.message : String(err));
    }
  }
  if (k.dcgmExporter !== undefined) problems.push(...dcgmExporterProblems(`${path}.kubernetes.dcgmExporter`, k.dcgmExporter));
  if (backend.ssh !== undefined || backend.transport === 'ssh') at(`${path}.transport`, 'kind kubernetes talks to the API server; ssh is not used');
  if (k.kubeconfigFile === undefined) {
    if (k.tokenEnv !== undefined && envValue(env, k.tokenEnv) === undefined) at(`${path}.kubernetes.tokenEnv`, `the environment variable ${k.tokenEnv} is not set`);
    if (k.apiServer === undefined && !env.KUBERNETES_SERVICE_HOST) {
      at(`${path}.kubernetes.apiServer`, 'required outside a cluster (KUBERNETES_SERVICE_HOST is not set); or set kubeconfigFile');
    }
  }
  return problems;
}

function readable(file: string, key: string, configFile: string | null): string {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new ConfigError([`config error at ${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`], configFile);
  }
  return file;
}

/**
 * Resolves a checked `kubernetes` section. Files (kubeconfig, token, CA) must be readable now.
 *
 * @throws ConfigError naming the key of a file that cannot be read.
 */
export function resolveKubernetesBackend(k: KubernetesBackendConfig, path: string, baseDir: string, env: NodeJS.ProcessEnv, configFile: string | null): ResolvedKubernetesBackend {
  const key = `${path}.kubernetes`;
  let connection: KubernetesConnection;
  if (k.kubeconfigFile !== undefined) {
    connection = { kind: 'kubeconfig', file: readable(resolve(baseDir, k.kubeconfigFile), `${key}.kubeconfigFile`, configFile) };
  } else {
    const token = k.tokenEnv !== undefined ? filled(envValue(env, k.tokenEnv), `${key}.tokenEnv`) : null;
    const server = k.apiServer ?? `https://${env.KUBERNETES_SERVICE_HOST ?? ''}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
    connection = {
      kind: 'token',
      server,
      caFile: readable(resolve(baseDir, filled(k.caFile, `${key}.caFile`)), `${key}.caFile`, configFile),
      tokenFile: token === null ? readable(resolve(baseDir, filled(k.tokenFile, `${key}.tokenFile`)), `${key}.tokenFile`, configFile) : null,
      token,
    };
  }
  const storage = k.storage;
  const scratch = k.scratch;
  return {
    connection,
    cmd: filled(k.cmd, `${key}.cmd`),
    args: filled(k.args, `${key}.args`),
    dcgmExporter: k.dcgmExporter === undefined ? null : resolveDcgmExporter(k.dcgmExporter),
    capacityPods: filled(k.capacityPods, `${key}.capacityPods`),
    pod: {
      namespace: k.namespace,
      defaultImage: k.image,
      ...(k.imagePullPolicy !== undefined ? { imagePullPolicy: k.imagePullPolicy } : {}),
      ...(k.imagePullSecrets !== undefined ? { imagePullSecrets: k.imagePullSecrets } : {}),
      uid: filled(k.uid, `${key}.uid`),
      gid: filled(k.gid, `${key}.gid`),
      fsGroup: filled(k.fsGroup, `${key}.fsGroup`),
      ...(k.serviceAccountName !== undefined ? { serviceAccountName: k.serviceAccountName } : {}),
      automountServiceAccountToken: filled(k.automountServiceAccountToken, `${key}.automountServiceAccountToken`),
      storage: storage
        ? {
            nameTemplate: filled(storage.nameTemplate, `${key}.storage.nameTemplate`),
            size: filled(storage.size, `${key}.storage.size`),
            ...(storage.storageClassName !== undefined ? { storageClassName: storage.storageClassName } : {}),
            accessModes: filled(storage.accessModes, `${key}.storage.accessModes`),
            mountPath: filled(storage.mountPath, `${key}.storage.mountPath`),
          }
        : null,
      sharedVolumes: filled(k.sharedVolumes, `${key}.sharedVolumes`),
      scratch: scratch ? { mountPath: filled(scratch.mountPath, `${key}.scratch.mountPath`), sizeLimit: filled(scratch.sizeLimit, `${key}.scratch.sizeLimit`) } : null,
      extraLabels: filled(k.extraLabels, `${key}.extraLabels`),
    },
  };
}
