/**
 * Removing the claims (and the node agent's volumes) a Kubernetes test left: no controller-manager
 * runs in the test cluster to lift their protection finalizers, so the admin clears them first.
 * Test tooling.
 */
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/** Removes the claims in `namespace` and the persistent volumes with these labels. */
export async function removeClaims(admin: KubeConfig, namespace: string, labelSelector: string): Promise<void> {
  const k8s = await import('@kubernetes/client-node');
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  for (const pvc of (await core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector })).items) {
    const name = pvc.metadata?.name ?? '';
    await core.patchNamespacedPersistentVolumeClaim({ name, namespace, body: { metadata: { finalizers: null } } }, merge);
    await core.deleteNamespacedPersistentVolumeClaim({ name, namespace }).catch(() => undefined);
  }
  for (const pv of (await core.listPersistentVolume({ labelSelector })).items) {
    const name = pv.metadata?.name ?? '';
    await core.patchPersistentVolume({ name, body: { metadata: { finalizers: null } } }, merge);
    await core.deletePersistentVolume({ name }).catch(() => undefined);
  }
}
