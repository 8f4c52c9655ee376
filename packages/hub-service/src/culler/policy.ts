/**
 * The built-in culler's policy, pure: the hub-wide `culler` settings with a profile's `cull`
 * section (idle timeout, max age, warning) laid over them. A timeout of 0 disables that rule.
 */
import type { CullPolicy } from '@clusterhub/shared';

/** Effective policy for one server. */
export interface CullerPolicy {
  /** Stop after this many seconds without activity; 0 disables. */
  readonly idleTimeoutSeconds: number;
  /** Stop after this many seconds since start, whatever the activity; 0 disables. */
  readonly maxAgeSeconds: number;
  /** Remove (not only stop) named servers that are culled; the default server is never removed. */
  readonly removeNamedServers: boolean;
  /** Warn this many seconds before a web-idle or max-age stop (at most the rule's timeout). */
  readonly warningSeconds: number;
}

/** The policy for a server started with a profile whose `cull` section may override the hub's. */
export function effectivePolicy(hub: CullerPolicy, profile: CullPolicy | undefined): CullerPolicy {
  return {
    idleTimeoutSeconds: profile?.idleTimeoutSeconds ?? hub.idleTimeoutSeconds,
    maxAgeSeconds: profile?.maxAgeSeconds ?? hub.maxAgeSeconds,
    removeNamedServers: hub.removeNamedServers,
    warningSeconds: profile?.warningSeconds ?? hub.warningSeconds,
  };
}
