import type { ProfileConfig } from '@clusterhub/shared';
import { buildPod, type KubernetesPodSettings } from './manifests';
import { profileKubernetesSettings } from './profile-settings';

const settings: KubernetesPodSettings = { namespace: 'jhub', defaultImage: 'img', uid: 1000, gid: 100, fsGroup: 100, storage: null, scratch: null };

function podFor(profile: ProfileConfig) {
  return buildPod(settings, { userName: 'alice', serverName: '', profile, kubernetes: profileKubernetesSettings(profile), environment: {}, command: ['jupyterhub-singleuser'] });
}

describe("a profile's kubernetes section", () => {
  it('names the MIG resource of another card, adds limits, tolerations and a selector', () => {
    const pod = podFor({
      slug: 'h200-mig',
      displayName: 'H200 1g.18gb',
      kind: 'mig',
      resources: { mig: { profile: '1g.18gb' } },
      kubernetes: {
        migResourceName: 'nvidia.com/mig-1g.18gb',
        extraResources: { 'rdma/hca': '1' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H200' },
      },
    });
    const spec = pod.spec;
    expect(spec?.containers[0]?.resources?.limits).toMatchObject({ 'nvidia.com/mig-1g.18gb': '1', 'rdma/hca': '1' });
    expect(spec?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-H200' });
    expect(spec?.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' },
    ]);
  });

  it('keeps the defaults of the kind when absent, and "" turns the runtime class off', () => {
    const gpu: ProfileConfig = { slug: 'a100', displayName: 'A100', kind: 'gpu', resources: { gpus: { count: 1 } } };
    expect(profileKubernetesSettings(gpu)).toEqual({});
    expect(podFor(gpu).spec?.runtimeClassName).toBe('nvidia');
    expect(podFor({ ...gpu, kubernetes: { runtimeClassName: '' } }).spec?.runtimeClassName).toBeUndefined();
  });
});
