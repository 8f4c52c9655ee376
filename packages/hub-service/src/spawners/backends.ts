import type { ProfileCapacityModel, ProfileConfig } from '@clusterhub/shared';
import { DEFAULT_BACKEND } from '../config/backend-checks';
import type { Spawner } from './spawner';

/** A backend by name: what a profile runs on and what holds a server's handle. */
export interface NamedBackend {
  /** `default` (the `spawner` section) or a key of `backends`. */
  readonly name: string;
  readonly spawner: Spawner;
}

/**
 * The hub's backends by name (architecture.md decision 8): each profile names one, each server
 * record keeps the name of the one that holds its handle, so polling, stopping and re-adoption go
 * to the backend that started it. Built once in the composition root (spawners/registry.ts).
 */
export class Backends {
  private readonly byName: ReadonlyMap<string, Spawner>;

  /** @throws Error when `byName` has no `default` entry. */
  constructor(byName: ReadonlyMap<string, Spawner>) {
    if (!byName.has(DEFAULT_BACKEND)) throw new Error(`backends: the ${DEFAULT_BACKEND} backend is missing`);
    this.byName = byName;
  }

  /** The `default` backend (the `spawner` section). */
  get default(): Spawner {
    return this.byName.get(DEFAULT_BACKEND) as Spawner;
  }

  /** Every backend, `default` first. */
  all(): NamedBackend[] {
    return [...this.byName].map(([name, spawner]) => ({ name, spawner }));
  }

  /** The backend a profile runs on; null when its name is not configured (the config check prevents that). */
  forProfile(profile: ProfileConfig): NamedBackend | null {
    const name = profile.backend ?? DEFAULT_BACKEND;
    const spawner = this.byName.get(name);
    return spawner ? { name, spawner } : null;
  }

  /**
   * The backend that holds a server's handle: its recorded name (null for rows from before
   * backends: `default`). Null when that backend is no longer configured.
   */
  forServer(server: { readonly backend: string | null }): NamedBackend | null {
    const name = server.backend ?? DEFAULT_BACKEND;
    const spawner = this.byName.get(name);
    return spawner ? { name, spawner } : null;
  }

  /**
   * What is free now for each profile whose backend can tell (`Spawner.capacity`: Kubernetes GPU
   * and MIG profiles), by slug. Never throws: a backend that fails is left out.
   */
  async capacities(profiles: readonly ProfileConfig[]): Promise<Map<string, ProfileCapacityModel>> {
    const answers = await Promise.all(
      profiles.map(async (profile) => {
        const backend = this.forProfile(profile);
        const capacity = await backend?.spawner.capacity?.(profile).catch(() => null);
        return capacity && backend ? ([profile.slug, { backend: backend.name, ...capacity }] as const) : null;
      }),
    );
    return new Map(answers.filter((a) => a !== null));
  }

  /** Releases every backend's connections and watchers. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.byName.values()].map((s) => s.close?.()));
  }
}
