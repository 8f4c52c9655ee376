/**
 * Capacity and choices of batch profiles (issue 6 item 7, docs/batch-jobs.md): per Slurm profile, how
 * many of the GPUs or MIG slices it asks for are free now (one `sinfo` per backend, as the
 * operator) and which partitions, accounts and QoS the user may choose (`sacctmgr` as the user),
 * narrowed by the profile's `slurm.choices`. Both are cached for the backend's `cacheSeconds`. A
 * scheduler that cannot be asked never fails the caller: the numbers become `null` with a reason.
 */
import type { BatchChoicesModel, ProfileBatchModel, ProfileConfig } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import type { Logger } from '../observability/logger';
import type { Backends } from '../spawners/backends';
import { gresOf } from '../spawners/batch/job-spec';
import { freeFor, freeGres, parseSinfo, sinfoArgs, type SinfoNode } from '../spawners/batch/slurm/sinfo';
import { offeredChoice, parseAssociations, sacctmgrArgs, type UserAssociations } from '../spawners/batch/slurm/sacctmgr';
import { firstLine } from '../spawners/batch/slurm/slurm-dialect';
import { slurmBackendOf, type SlurmBackendRef } from './batch-backend';
import { TtlCache } from './ttl-cache';

/** How long one `sinfo` or `sacctmgr` may take before the answer is "unknown" (a down controller makes them retry for ~18 s). */
export const CAPACITY_COMMAND_TIMEOUT_MS = 8000;

/** Dependencies of {@link BatchCapacity}. */
export interface BatchCapacityDeps {
  readonly backends: Backends;
  readonly clock: Clock;
  readonly logger: Logger;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Capacity and choices of the hub's Slurm profiles, cached per backend and per user. */
export class BatchCapacity {
  private readonly nodes = new Map<string, TtlCache<Outcome<SinfoNode[]>>>();
  private readonly associations = new Map<string, TtlCache<Outcome<UserAssociations>>>();

  constructor(private readonly deps: BatchCapacityDeps) {}

  /**
   * `profile.batch` of the profile list for hub user `userName`; null for a profile that does not
   * run on a Slurm backend. Never throws for a scheduler that cannot be asked.
   */
  async forProfile(profile: ProfileConfig, userName: string): Promise<ProfileBatchModel | null> {
    const backend = slurmBackendOf(this.deps.backends, profile);
    if (!backend) return null;
    let gres: string | null;
    try {
      gres = gresOf(profile) ?? null;
    } catch {
      gres = null;
    }
    const [capacity, choices] = await Promise.all([this.capacity(backend, profile, gres), this.choices(backend, profile, userName)]);
    return { backend: backend.name, gres, ...capacity, ...choices };
  }

  /** `forProfile` for several profiles at once (the backends are asked once each). */
  async forProfiles(profiles: readonly ProfileConfig[], userName: string): Promise<Map<string, ProfileBatchModel>> {
    const out = new Map<string, ProfileBatchModel>();
    const models = await Promise.all(profiles.map((p) => this.forProfile(p, userName)));
    profiles.forEach((p, i) => {
      const m = models[i];
      if (m) out.set(p.slug, m);
    });
    return out;
  }

  /** Forgets what was read (a job started or ended here, so what is free changed). */
  invalidate(): void {
    for (const cache of this.nodes.values()) cache.clear();
  }

  private async capacity(backend: SlurmBackendRef, profile: ProfileConfig, gres: string | null): Promise<Pick<ProfileBatchModel, 'free' | 'fits' | 'reason'>> {
    if (gres === null) return { free: null, fits: null };
    const nodes = await this.cacheOf(this.nodes, backend).get('sinfo', () => this.readNodes(backend));
    if (!nodes.ok) return { free: null, fits: null, reason: nodes.reason };
    const found = freeFor(freeGres(nodes.value, profile.slurm?.partition), gres);
    if (!found) return { free: null, fits: null, reason: `the hub cannot read the gres ${gres}` };
    return { free: found.free, fits: found.fits };
  }

  private async choices(backend: SlurmBackendRef, profile: ProfileConfig, userName: string): Promise<Pick<ProfileBatchModel, 'choices' | 'choicesReason'>> {
    const wanted = profile.slurm?.choices;
    const walltime = wanted?.maxWalltime === undefined ? {} : { walltime: { default: profile.resources?.walltime ?? null, max: wanted.maxWalltime } };
    const named = (['partition', 'account', 'qos', 'reservation'] as const).filter((f) => wanted?.[f] !== undefined);
    if (named.length === 0) return { choices: walltime };
    let account: string;
    try {
      account = backend.accountOf(userName);
    } catch (err) {
      return { choices: { ...asWritten(profile), ...walltime }, choicesReason: (err as Error).message };
    }
    const assoc = await this.cacheOf(this.associations, backend).get(account, () => this.readAssociations(backend, account));
    if (!assoc.ok) return { choices: { ...asWritten(profile), ...walltime }, choicesReason: assoc.reason };
    const allowed = { partition: assoc.value.partitions, account: assoc.value.accounts, qos: assoc.value.qos, reservation: 'any' as const };
    const choices: BatchChoicesModel = { ...walltime };
    for (const field of named) {
      const offered = offeredChoice(wanted?.[field], allowed[field]);
      if (offered !== null) choices[field] = offered === 'any' ? 'any' : [...offered];
    }
    return { choices };
  }

  private cacheOf<T>(caches: Map<string, TtlCache<T>>, backend: SlurmBackendRef): TtlCache<T> {
    let cache = caches.get(backend.name);
    if (!cache) {
      cache = new TtlCache<T>(backend.settings.cacheSeconds * 1000, this.deps.clock);
      caches.set(backend.name, cache);
    }
    return cache;
  }

  private async readNodes(backend: SlurmBackendRef): Promise<Outcome<SinfoNode[]>> {
    try {
      const r = await backend.runner.run({ program: 'sinfo', args: sinfoArgs(), timeoutMs: CAPACITY_COMMAND_TIMEOUT_MS });
      if (r.code !== 0) return this.failed(backend, 'sinfo', firstLine(r.stderr) || `exit ${r.code}`);
      return { ok: true, value: parseSinfo(r.stdout) };
    } catch (err) {
      return this.failed(backend, 'sinfo', (err as Error).message);
    }
  }

  private async readAssociations(backend: SlurmBackendRef, account: string): Promise<Outcome<UserAssociations>> {
    try {
      const r = await backend.runner.run({ program: 'sacctmgr', args: sacctmgrArgs(account), asUser: account, timeoutMs: CAPACITY_COMMAND_TIMEOUT_MS });
      if (r.code !== 0) return this.failed(backend, 'sacctmgr', firstLine(r.stderr) || `exit ${r.code}`);
      return { ok: true, value: parseAssociations(r.stdout) };
    } catch (err) {
      return this.failed(backend, 'sacctmgr', (err as Error).message);
    }
  }

  private failed(backend: SlurmBackendRef, program: string, why: string): Outcome<never> {
    this.deps.logger.warn({ backend: backend.name, program, err: why }, 'batch capacity: the scheduler did not answer');
    return { ok: false, reason: `the scheduler of ${backend.name} cannot be asked right now (${program}: ${why})` };
  }
}

/** The profile's choices as written (when the associations are unknown). */
function asWritten(profile: ProfileConfig): BatchChoicesModel {
  const out: BatchChoicesModel = {};
  for (const field of ['partition', 'account', 'qos', 'reservation'] as const) {
    const c = profile.slurm?.choices?.[field];
    if (c !== undefined) out[field] = c === 'any' ? 'any' : [...c];
  }
  return out;
}
