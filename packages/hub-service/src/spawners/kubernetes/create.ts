import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { KubernetesConnection, ResolvedKubernetesBackend } from '../../config/kubernetes-backend';
import type { SpawnerLogger } from '../spawner-logger';
import { KubernetesSpawner } from './kubernetes-spawner';
import { profileKubernetesSettings } from './profile-settings';

/**
 * The hub's client configuration for a connection: the kubeconfig file's current context, or the
 * API server with its CA and a bearer token (a token file is read again as it rotates, as
 * client-node's in-cluster configuration does).
 */
export async function kubeConfigFor(connection: KubernetesConnection): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (connection.kind === 'kubeconfig') {
    kc.loadFromFile(connection.file);
    return kc;
  }
  const user =
    connection.token !== null
      ? { name: 'clusterhub', token: connection.token }
      : { name: 'clusterhub', authProvider: { name: 'tokenFile', config: { tokenFile: connection.tokenFile } } };
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server: connection.server, caFile: connection.caFile, skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: 'clusterhub', cluster: 'cluster', user: 'clusterhub' }],
    currentContext: 'clusterhub',
  });
  return kc;
}

/** The spawner of a `kubernetes` backend. Constructing has no side effects (the client loads on first use). */
export function createKubernetesSpawner(config: ResolvedKubernetesBackend, deps: { readonly logger?: SpawnerLogger } = {}): KubernetesSpawner {
  return new KubernetesSpawner({
    kubeConfig: () => kubeConfigFor(config.connection),
    pod: config.pod,
    command: config.cmd,
    profileSettings: profileKubernetesSettings,
    capacityPods: config.capacityPods,
    ...(config.args.length > 0 ? { args: config.args } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}
