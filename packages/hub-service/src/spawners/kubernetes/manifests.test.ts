import type { ProfileConfig } from '@clusterhub/shared';
import { buildPod, buildUserPvc, type KubernetesPodSettings, type ServerSpec } from './manifests';

const SETTINGS: KubernetesPodSettings = {
  namespace: 'jhub',
  defaultImage: 'quay.io/jupyter/scipy-notebook:2026-11-30',
  imagePullSecrets: ['registry-cred'],
  uid: 1000,
  gid: 100,
  fsGroup: 100,
  storage: { nameTemplate: 'claim-{username}', size: '10Gi', storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'], mountPath: '/home/jovyan' },
  sharedVolumes: [{ name: 'datasets', claimName: 'datasets', mountPath: '/home/jovyan/datasets' }],
  scratch: { mountPath: '/scratch', sizeLimit: '20Gi' },
  extraLabels: { release: 'clusterhub' },
};

/** The seed's profiles: CPU, a MIG 1g.5gb slice, two full A100s. */
const CPU: ProfileConfig = { slug: 'cpu', displayName: 'CPU', kind: 'cpu', resources: { cpu: { guarantee: 0.5, limit: 2 }, memory: { guarantee: '1G', limit: '4G' } } };
const MIG: ProfileConfig = { slug: 'mig-1g', displayName: 'MIG 1g.5gb', kind: 'mig', resources: { cpu: { limit: 4 }, memory: { limit: '16G' }, mig: { profile: '1g.5gb' } } };
const GPU2: ProfileConfig = { slug: 'a100x2', displayName: '2 × A100', kind: 'gpu', image: 'example.org/cuda-lab:1', resources: { gpus: { count: 2, type: 'a100' }, memory: { limit: '64G' } } };

function spec(profile: ProfileConfig, over: Partial<ServerSpec> = {}): ServerSpec {
  return {
    userName: 'alice',
    serverName: '',
    profile,
    kubernetes: {},
    environment: { JUPYTERHUB_API_TOKEN: 't0k', JUPYTERHUB_USER: 'alice' },
    command: ['jupyterhub-singleuser'],
    ...over,
  };
}

describe('pod manifest', () => {
  test('carries KubeSpawner\'s labels, the exact names as annotations, and a name per user and server', () => {
    const pod = buildPod(SETTINGS, spec(CPU, { userName: 'Ann Lee', serverName: 'gpu' }));
    expect(pod.metadata?.name).toMatch(/^jupyter-ann-lee--gpu---[0-9a-f]{8}$/);
    expect(pod.metadata?.namespace).toBe('jhub');
    expect(pod.metadata?.labels).toMatchObject({
      app: 'jupyterhub',
      component: 'singleuser-server',
      heritage: 'jupyterhub',
      release: 'clusterhub',
      'hub.jupyter.org/servername': 'gpu',
      'clusterhub.io/profile': 'cpu',
    });
    expect(pod.metadata?.labels?.['hub.jupyter.org/username']).toMatch(/^ann-lee---[0-9a-f]{8}$/);
    expect(pod.metadata?.annotations).toEqual({ 'hub.jupyter.org/username': 'Ann Lee', 'hub.jupyter.org/servername': 'gpu' });
  });

  test('runs restricted: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no token', () => {
    const pod = buildPod(SETTINGS, spec(CPU));
    expect(pod.spec?.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 100, fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.spec?.containers[0]?.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(buildPod({ ...SETTINGS, automountServiceAccountToken: true, serviceAccountName: 'lab' }, spec(CPU)).spec).toMatchObject({
      automountServiceAccountToken: true,
      serviceAccountName: 'lab',
    });
  });

  test('CPU profile: requests and limits from the profile, no GPU, no placement rule, no runtime class', () => {
    const pod = buildPod(SETTINGS, spec(CPU));
    expect(pod.spec?.containers[0]?.resources).toEqual({ requests: { cpu: '0.5', memory: '1G' }, limits: { cpu: '2', memory: '4G' } });
    expect(pod.spec?.nodeSelector).toBeUndefined();
    expect(pod.spec?.affinity).toBeUndefined();
    expect(pod.spec?.tolerations).toBeUndefined();
    expect(pod.spec?.runtimeClassName).toBeUndefined();
    expect(pod.spec?.containers[0]?.image).toBe(SETTINGS.defaultImage);
  });

  test('MIG profile: the slice as a limit, only on MIG nodes, runtime class nvidia', () => {
    const pod = buildPod(SETTINGS, spec(MIG));
    expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ cpu: '4', memory: '16G', 'nvidia.com/mig-1g.5gb': '1' });
    expect(pod.spec?.nodeSelector).toEqual({ 'nvidia.com/mig.capable': 'true' });
    expect(pod.spec?.affinity).toBeUndefined();
    expect(pod.spec?.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.spec?.runtimeClassName).toBe('nvidia');
  });

  test('MIG resource names are per profile (an H200 slice is 1g.18gb; a single-strategy cluster names it nvidia.com/gpu)', () => {
    const h200: ProfileConfig = { ...MIG, resources: { mig: { profile: '1g.18gb', count: 2 } } };
    expect(buildPod(SETTINGS, spec(h200)).spec?.containers[0]?.resources?.limits).toEqual({ 'nvidia.com/mig-1g.18gb': '2' });
    const single = buildPod(SETTINGS, spec(MIG, { kubernetes: { migResourceName: 'nvidia.com/gpu', nodeSelector: { 'nvidia.com/gpu.product': 'A100-SXM4-40GB-MIG-1g.5gb' } } }));
    expect(single.spec?.containers[0]?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(single.spec?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'A100-SXM4-40GB-MIG-1g.5gb' });
  });

  test('GPU profile: whole GPUs as a limit, kept off MIG nodes by affinity, the profile\'s image', () => {
    const pod = buildPod(SETTINGS, spec(GPU2));
    expect(pod.spec?.containers[0]?.resources?.limits).toEqual({ memory: '64G', 'nvidia.com/gpu': '2' });
    expect(pod.spec?.nodeSelector).toBeUndefined();
    expect(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'nvidia.com/mig.capable', operator: 'NotIn', values: ['true'] }] },
    ]);
    expect(pod.spec?.runtimeClassName).toBe('nvidia');
    expect(pod.spec?.containers[0]?.image).toBe('example.org/cuda-lab:1');
    const extra = buildPod(SETTINGS, spec(GPU2, { kubernetes: { extraResources: { 'example.com/ib': '1' }, tolerations: [{ key: 'gpu-pool', operator: 'Equal', value: 'a100', effect: 'NoSchedule' }] } }));
    expect(extra.spec?.containers[0]?.resources?.limits?.['example.com/ib']).toBe('1');
    expect(extra.spec?.tolerations).toHaveLength(2);
  });

  test('volumes: the user\'s PVC, shared data read-only, a size-limited scratch emptyDir', () => {
    const pod = buildPod(SETTINGS, spec(CPU));
    expect(pod.spec?.volumes).toEqual([
      { name: 'home', persistentVolumeClaim: { claimName: 'claim-alice' } },
      { name: 'shared-0', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } },
      { name: 'scratch', emptyDir: { sizeLimit: '20Gi' } },
    ]);
    expect(pod.spec?.containers[0]?.volumeMounts).toEqual([
      { name: 'home', mountPath: '/home/jovyan' },
      { name: 'shared-0', mountPath: '/home/jovyan/datasets', readOnly: true },
      { name: 'scratch', mountPath: '/scratch' },
    ]);
    const bare = buildPod({ ...SETTINGS, storage: null, sharedVolumes: [], scratch: null }, spec(CPU));
    expect(bare.spec?.volumes).toEqual([]);
  });

  test('environment: the hub\'s variables and the profile\'s, sorted; pull secrets; the command', () => {
    const pod = buildPod(SETTINGS, spec({ ...CPU, environment: { EXTRA: '1' } }, { args: ['--debug'] }));
    const c = pod.spec?.containers[0];
    expect(c?.env).toEqual([
      { name: 'EXTRA', value: '1' },
      { name: 'JUPYTERHUB_API_TOKEN', value: 't0k' },
      { name: 'JUPYTERHUB_USER', value: 'alice' },
    ]);
    expect(c?.command).toEqual(['jupyterhub-singleuser']);
    expect(c?.args).toEqual(['--debug']);
    expect(pod.spec?.imagePullSecrets).toEqual([{ name: 'registry-cred' }]);
  });
});

describe('user PVC manifest', () => {
  test('claim-{username} with the storage class, size and access mode; only the user\'s labels', () => {
    const pvc = buildUserPvc(SETTINGS, spec(GPU2, { serverName: 'big' }));
    expect(pvc?.metadata?.name).toBe('claim-alice');
    expect(pvc?.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'nfs-client' });
    expect(pvc?.metadata?.labels).toEqual({ release: 'clusterhub', app: 'jupyterhub', component: 'singleuser-storage', heritage: 'jupyterhub', 'hub.jupyter.org/username': 'alice' });
    expect(buildUserPvc({ ...SETTINGS, storage: null }, spec(CPU))).toBeNull();
  });
});
