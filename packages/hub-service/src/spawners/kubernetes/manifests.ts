import type { ProfileConfig } from '@clusterhub/shared';
import type {
  V1Affinity,
  V1EnvVar,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { labelValue, podName, pvcName } from './names';

/**
 * Pure builders of the objects a user server is made of on Kubernetes (a pod and its user's
 * PVC), in the manner of KubeSpawner's `objects.py`: no I/O, the same input gives the same object.
 * The backend (a later step) creates them; tests read them back from a real API server.
 */

/** Node label the NVIDIA GPU operator sets on nodes whose GPUs are in MIG mode. */
export const MIG_CAPABLE_LABEL = 'nvidia.com/mig.capable';
/** The extended resource of a whole GPU (NVIDIA device plugin). */
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** Where the notebook listens in the pod. */
export const NOTEBOOK_PORT = 8888;

/** Site-wide pod settings of a Kubernetes backend (config: the backend's section). */
export interface KubernetesPodSettings {
  readonly namespace: string;
  /** Image of profiles that name none. */
  readonly defaultImage: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly imagePullSecrets?: readonly string[];
  /** The non-root user and group the notebook runs as, and the pod's fsGroup. */
  readonly uid: number;
  readonly gid: number;
  readonly fsGroup: number;
  /** Mount the service-account token (off unless asked), and which service account. */
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  /** The per-user volume; null: none. */
  readonly storage: UserStorage | null;
  /** Volumes every server mounts read-only (shared datasets). */
  readonly sharedVolumes?: readonly SharedVolume[];
  /** A node-local scratch folder (`emptyDir`); null: none. */
  readonly scratch: { readonly mountPath: string; readonly sizeLimit: string } | null;
  /** Labels added to every object, e.g. `release` of a Helm chart. */
  readonly extraLabels?: Readonly<Record<string, string>>;
}

/** The per-user PVC: created when missing, kept when the server stops. */
export interface UserStorage {
  /** e.g. `claim-{username}` (KubeSpawner's default). */
  readonly nameTemplate: string;
  readonly size: string;
  readonly storageClassName?: string;
  readonly accessModes: readonly string[];
  readonly mountPath: string;
}

/** A read-only volume from an existing PVC. */
export interface SharedVolume {
  readonly name: string;
  readonly claimName: string;
  readonly mountPath: string;
  readonly subPath?: string;
}

/**
 * A profile's Kubernetes settings (its `kubernetes` section, resolved at config load). Every field
 * has a default from the profile's kind: see {@link nodePlacement} and {@link gpuResources}.
 */
export interface KubernetesProfileSettings {
  /** Replaces the kind's node selector (MIG: `nvidia.com/mig.capable: "true"`). */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Added to the kind's tolerations (GPU and MIG: tolerate `nvidia.com/gpu` taints). */
  readonly tolerations?: readonly V1Toleration[];
  /** Replaces the kind's affinity (GPU: keep off nodes with `nvidia.com/mig.capable=true`). */
  readonly affinity?: V1Affinity;
  /** The MIG resource name; default `nvidia.com/mig-<resources.mig.profile>` (device plugin, mixed strategy). */
  readonly migResourceName?: string;
  /** The whole-GPU resource name; default `nvidia.com/gpu`. */
  readonly gpuResourceName?: string;
  /** More extended resources, as limits (e.g. `example.com/fpga: "1"`). */
  readonly extraResources?: Readonly<Record<string, string>>;
  /** Default for GPU and MIG: `nvidia` (the seed's pods); none for CPU. Empty string: none. */
  readonly runtimeClassName?: string;
}

/** One server to build objects for. */
export interface ServerSpec {
  readonly userName: string;
  /** `''` for the default server. */
  readonly serverName: string;
  readonly profile: ProfileConfig;
  readonly kubernetes: KubernetesProfileSettings;
  /** The hub's environment for the server (JUPYTERHUB_API_TOKEN, …); the profile's comes on top. */
  readonly environment: Readonly<Record<string, string>>;
  /** The command, e.g. `["jupyterhub-singleuser"]`, and its arguments. */
  readonly command: readonly string[];
  readonly args?: readonly string[];
}

/**
 * The labels KubeSpawner puts on user pods (so NetworkPolicies, dashboards and `kubectl get -l`
 * written for it match) plus the profile's slug. Names are label-safe forms; the exact names are in
 * {@link serverAnnotations}.
 */
export function serverLabels(settings: KubernetesPodSettings, spec: Pick<ServerSpec, 'userName' | 'serverName' | 'profile'>): Record<string, string> {
  return {
    ...settings.extraLabels,
    app: 'jupyterhub',
    component: 'singleuser-server',
    heritage: 'jupyterhub',
    'hub.jupyter.org/username': labelValue(spec.userName),
    'hub.jupyter.org/servername': labelValue(spec.serverName),
    'clusterhub.io/profile': labelValue(spec.profile.slug),
  };
}

/** The exact user and server names (labels hold only safe forms). */
export function serverAnnotations(spec: Pick<ServerSpec, 'userName' | 'serverName'>): Record<string, string> {
  return { 'hub.jupyter.org/username': spec.userName, 'hub.jupyter.org/servername': spec.serverName };
}

/** Requests and limits: CPU and memory from the profile, whole GPUs or a MIG slice as limits. */
export function containerResources(spec: Pick<ServerSpec, 'profile' | 'kubernetes'>): { requests: Record<string, string>; limits: Record<string, string> } {
  const r = spec.profile.resources ?? {};
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (r.cpu?.guarantee !== undefined) requests.cpu = String(r.cpu.guarantee);
  if (r.cpu?.limit !== undefined) limits.cpu = String(r.cpu.limit);
  if (r.memory?.guarantee !== undefined) requests.memory = r.memory.guarantee;
  if (r.memory?.limit !== undefined) limits.memory = r.memory.limit;
  // Extended resources cannot be overcommitted: the request equals the limit (set by the API server
  // from the limit when absent), so limits alone say it.
  Object.assign(limits, gpuResources(spec), spec.kubernetes.extraResources);
  return { requests, limits };
}

/** The GPU part of the limits: `nvidia.com/gpu: N` (kind gpu) or `nvidia.com/mig-1g.5gb: N` (kind mig). */
export function gpuResources(spec: Pick<ServerSpec, 'profile' | 'kubernetes'>): Record<string, string> {
  const r = spec.profile.resources ?? {};
  if (spec.profile.kind === 'gpu' && r.gpus) return { [spec.kubernetes.gpuResourceName ?? GPU_RESOURCE]: String(r.gpus.count) };
  if (spec.profile.kind === 'mig' && r.mig) return { [spec.kubernetes.migResourceName ?? `nvidia.com/mig-${r.mig.profile}`]: String(r.mig.count ?? 1) };
  return {};
}

/**
 * Where the pod may run (the seed's rules): MIG pods only on MIG nodes (`nodeSelector`
 * `nvidia.com/mig.capable: "true"`), whole-GPU pods kept off them (required node affinity
 * `nvidia.com/mig.capable NotIn ["true"]`, which also matches nodes without the label); both
 * tolerate `nvidia.com/gpu` taints. CPU pods: no rule. The profile's settings replace the selector
 * and affinity and add tolerations.
 */
export function nodePlacement(spec: Pick<ServerSpec, 'profile' | 'kubernetes'>): { nodeSelector?: Record<string, string>; affinity?: V1Affinity; tolerations?: V1Toleration[] } {
  const kind = spec.profile.kind;
  const k = spec.kubernetes;
  const out: { nodeSelector?: Record<string, string>; affinity?: V1Affinity; tolerations?: V1Toleration[] } = {};
  const nodeSelector = k.nodeSelector ?? (kind === 'mig' ? { [MIG_CAPABLE_LABEL]: 'true' } : undefined);
  if (nodeSelector && Object.keys(nodeSelector).length > 0) out.nodeSelector = { ...nodeSelector };
  const affinity =
    k.affinity ??
    (kind === 'gpu'
      ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: MIG_CAPABLE_LABEL, operator: 'NotIn', values: ['true'] }] }] } } }
      : undefined);
  if (affinity) out.affinity = affinity;
  const tolerations: V1Toleration[] = kind === 'cpu' ? [] : [{ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' }];
  tolerations.push(...(k.tolerations ?? []));
  if (tolerations.length > 0) out.tolerations = tolerations;
  return out;
}

function volumes(settings: KubernetesPodSettings, spec: ServerSpec): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const vols: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  if (settings.storage) {
    vols.push({ name: 'home', persistentVolumeClaim: { claimName: pvcName(settings.storage.nameTemplate, spec.userName, spec.serverName) } });
    mounts.push({ name: 'home', mountPath: settings.storage.mountPath });
  }
  for (const [i, shared] of (settings.sharedVolumes ?? []).entries()) {
    const name = `shared-${i}`;
    vols.push({ name, persistentVolumeClaim: { claimName: shared.claimName, readOnly: true } });
    mounts.push({ name, mountPath: shared.mountPath, readOnly: true, ...(shared.subPath !== undefined ? { subPath: shared.subPath } : {}) });
  }
  if (settings.scratch) {
    vols.push({ name: 'scratch', emptyDir: { sizeLimit: settings.scratch.sizeLimit } });
    mounts.push({ name: 'scratch', mountPath: settings.scratch.mountPath });
  }
  return { volumes: vols, mounts };
}

function environment(spec: ServerSpec): V1EnvVar[] {
  const all = { ...spec.environment, ...spec.profile.environment };
  return Object.keys(all)
    .sort()
    .map((name) => ({ name, value: all[name] }));
}

/** The pod of a user's server: resources, placement, volumes, labels, a restricted security context. */
export function buildPod(settings: KubernetesPodSettings, spec: ServerSpec): V1Pod {
  const { volumes: vols, mounts } = volumes(settings, spec);
  const runtimeClassName = spec.kubernetes.runtimeClassName ?? (spec.profile.kind === 'cpu' ? '' : 'nvidia');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(spec.userName, spec.serverName),
      namespace: settings.namespace,
      labels: serverLabels(settings, spec),
      annotations: serverAnnotations(spec),
    },
    spec: {
      restartPolicy: 'OnFailure',
      enableServiceLinks: false,
      automountServiceAccountToken: settings.automountServiceAccountToken ?? false,
      ...(settings.serviceAccountName !== undefined ? { serviceAccountName: settings.serviceAccountName } : {}),
      ...(runtimeClassName !== '' ? { runtimeClassName } : {}),
      ...(settings.imagePullSecrets?.length ? { imagePullSecrets: settings.imagePullSecrets.map((name) => ({ name })) } : {}),
      ...nodePlacement(spec),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: settings.uid,
        runAsGroup: settings.gid,
        fsGroup: settings.fsGroup,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'notebook',
          image: spec.profile.image ?? settings.defaultImage,
          ...(settings.imagePullPolicy ? { imagePullPolicy: settings.imagePullPolicy } : {}),
          command: [...spec.command],
          ...(spec.args ? { args: [...spec.args] } : {}),
          ports: [{ name: 'notebook-port', containerPort: NOTEBOOK_PORT }],
          env: environment(spec),
          resources: containerResources(spec),
          volumeMounts: mounts,
          securityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
      volumes: vols,
    },
  };
}

/** The user's PVC (null when the backend has no per-user storage). */
export function buildUserPvc(settings: KubernetesPodSettings, spec: Pick<ServerSpec, 'userName' | 'serverName' | 'profile'>): V1PersistentVolumeClaim | null {
  const storage = settings.storage;
  if (!storage) return null;
  const labels = serverLabels(settings, spec);
  // The claim outlives servers and profiles: only the user's labels stay on it.
  delete labels['clusterhub.io/profile'];
  delete labels['hub.jupyter.org/servername'];
  labels.component = 'singleuser-storage';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: pvcName(storage.nameTemplate, spec.userName, spec.serverName),
      namespace: settings.namespace,
      labels,
      annotations: { 'hub.jupyter.org/username': spec.userName },
    },
    spec: {
      accessModes: [...storage.accessModes],
      resources: { requests: { storage: storage.size } },
      ...(storage.storageClassName !== undefined ? { storageClassName: storage.storageClassName } : {}),
    },
  };
}
