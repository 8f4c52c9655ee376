/**
 * What the local-process backend does with a profile's resources, as pure data: the limits it
 * applies (and how) and the ones it cannot apply on one machine without cgroups. The spawner uses
 * {@link localProcessLimits} to apply them; the home page and the Lab Resources panel show
 * {@link localProcessEnforcement} so nobody picks "1 × A100" and silently gets no GPU.
 * Browser-safe: no Node APIs.
 */
import type { ProfileConfig } from './generated/config';
import { parseQuantity } from './profiles';

/** The mechanics the local-process spawner applies for one profile. */
export interface LocalProcessLimits {
  /** Variables set on top of the server's environment (e.g. `CUDA_VISIBLE_DEVICES: ''` for CPU profiles). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Per-process limit of writable private memory in bytes (`RLIMIT_DATA`, set with `prlimit`):
   * the profile's memory limit, or null when it has none.
   */
  readonly dataLimitBytes: number | null;
}

/** What a backend enforces of a profile, in words for people. */
export interface ResourceEnforcement {
  /** Limits the backend applies, each one sentence. */
  readonly applied: readonly string[];
  /** Resources the profile names that this backend does not apply, each one sentence. */
  readonly notApplied: readonly string[];
}

/** The limits the local-process backend applies for `profile` (see {@link LocalProcessLimits}). */
export function localProcessLimits(profile: ProfileConfig): LocalProcessLimits {
  const env: Record<string, string> = {};
  if (profile.kind === 'cpu') env['CUDA_VISIBLE_DEVICES'] = '';
  const memory = profile.resources?.memory?.limit;
  return { env, dataLimitBytes: memory === undefined ? null : parseQuantity(memory) };
}

/**
 * What the local-process backend enforces of `profile`: GPUs are hidden from CPU profiles, the
 * memory limit holds per process (not for the server as a whole); CPU limits and guarantees,
 * memory guarantees and GPU or MIG reservations are not applied on a single machine.
 */
export function localProcessEnforcement(profile: ProfileConfig): ResourceEnforcement {
  const r = profile.resources ?? {};
  const applied: string[] = [];
  const notApplied: string[] = [];
  if (profile.kind === 'cpu') applied.push('GPUs are hidden from the server (CUDA_VISIBLE_DEVICES is empty).');
  if (r.memory?.limit !== undefined) {
    applied.push(`Each process of the server may use at most ${r.memory.limit} of memory (a per-process limit, not one for the server as a whole).`);
  }
  if (r.gpus) notApplied.push(`${r.gpus.count} GPU(s) are not reserved: the server sees whatever GPUs this machine has, shared with everyone.`);
  if (r.mig) notApplied.push(`The MIG slice ${r.mig.profile} is not reserved: the server sees whatever GPUs this machine has, shared with everyone.`);
  if (r.cpu?.limit !== undefined || r.cpu?.guarantee !== undefined) notApplied.push('CPU limits and guarantees are not applied: the server shares all CPUs of this machine.');
  if (r.memory?.guarantee !== undefined) notApplied.push('The memory guarantee is not reserved.');
  return { applied, notApplied };
}

/**
 * What the backend named `kind` enforces of `profile`, or null when it applies the profile's
 * resources in full (e.g. Kubernetes requests and limits) or is not known here.
 */
export function resourceEnforcement(kind: string, profile: ProfileConfig): ResourceEnforcement | null {
  return kind === 'local-process' ? localProcessEnforcement(profile) : null;
}
