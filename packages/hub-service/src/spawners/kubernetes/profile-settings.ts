import type { ProfileConfig } from '@clusterhub/shared';
import type { KubernetesProfileSettings } from './manifests';

/** A profile's `kubernetes` section as the manifest builders take it; absent keys keep the kind's defaults. */
export function profileKubernetesSettings(profile: ProfileConfig): KubernetesProfileSettings {
  const k = profile.kubernetes ?? {};
  return {
    ...(k.nodeSelector !== undefined ? { nodeSelector: k.nodeSelector } : {}),
    ...(k.tolerations !== undefined ? { tolerations: k.tolerations } : {}),
    ...(k.migResourceName !== undefined ? { migResourceName: k.migResourceName } : {}),
    ...(k.gpuResourceName !== undefined ? { gpuResourceName: k.gpuResourceName } : {}),
    ...(k.extraResources !== undefined ? { extraResources: k.extraResources } : {}),
    ...(k.runtimeClassName !== undefined ? { runtimeClassName: k.runtimeClassName } : {}),
  };
}
