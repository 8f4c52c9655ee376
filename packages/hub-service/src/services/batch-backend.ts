/**
 * The Slurm backend a profile runs on, with what the batch services (capacity, jobs API) need of it:
 * its resolved settings, its command runner and the user → cluster account mapping. One lookup for
 * both services, so that they agree on which profiles are batch profiles.
 */
import type { ProfileConfig } from '@clusterhub/shared';
import type { ResolvedBatchBackend } from '../config/types';
import type { Backends } from '../spawners/backends';
import { BatchSpawner } from '../spawners/batch/batch-spawner';
import type { CommandRunner } from '../spawners/batch/commands';

/** A profile's Slurm backend. */
export interface SlurmBackendRef {
  /** The backend's name (its key in `backends`). */
  readonly name: string;
  readonly settings: ResolvedBatchBackend;
  readonly runner: CommandRunner;
  /** The cluster account of a hub user (throws when commands cannot run as that account). */
  accountOf(userName: string): string;
}

/** The Slurm backend of `profile`; null for a profile on another kind of backend (local process, PBS). */
export function slurmBackendOf(backends: Backends, profile: ProfileConfig): SlurmBackendRef | null {
  const named = backends.forProfile(profile);
  return named ? slurmBackendNamed(named.name, named.spawner) : null;
}

/** Every configured Slurm backend, in configuration order. */
export function slurmBackends(backends: Backends): SlurmBackendRef[] {
  return backends.all().flatMap((b) => {
    const ref = slurmBackendNamed(b.name, b.spawner);
    return ref ? [ref] : [];
  });
}

function slurmBackendNamed(name: string, spawner: unknown): SlurmBackendRef | null {
  if (!(spawner instanceof BatchSpawner) || spawner.opts.dialect.kind !== 'slurm' || !spawner.opts.runner) return null;
  const runner = spawner.opts.runner;
  return { name, settings: spawner.opts.backend, runner, accountOf: (userName) => spawner.accountOf(userName) };
}
