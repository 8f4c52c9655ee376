import type { ProfileConfig } from '@clusterhub/shared';

/** A profile setting a PBS backend cannot carry: its key (under the profile) and why. */
export interface PbsProfileProblem {
  readonly key: string;
  readonly why: string;
}

/**
 * What a profile on a `pbs` backend may not ask for, found when the config loads rather than at a
 * start: PBS (`qsub`'s options) has no QoS, reservation or constraint, and asks for GPUs only as a
 * number (`gpus=N`), so no GPU type, MIG profile or other gres (docs/pbs.md).
 */
export function pbsProfileProblems(profile: ProfileConfig): PbsProfileProblem[] {
  const problems: PbsProfileProblem[] = [];
  const slurm = profile.slurm ?? {};
  for (const key of ['qos', 'reservation', 'constraint'] as const) {
    if (slurm[key] !== undefined) problems.push({ key: `slurm.${key}`, why: `a pbs backend has no ${key}; remove it` });
  }
  for (const key of ['qos', 'reservation'] as const) {
    if (slurm.choices?.[key] !== undefined) problems.push({ key: `slurm.choices.${key}`, why: `a pbs backend has no ${key} to choose; remove it` });
  }
  if (slurm.gres !== undefined && !/^gpu:[0-9]+$/.test(slurm.gres)) {
    problems.push({ key: 'slurm.gres', why: `a pbs backend asks only for a number of GPUs (gpu:N), not ${JSON.stringify(slurm.gres)}` });
  }
  if (profile.resources?.gpus?.type !== undefined) problems.push({ key: 'resources.gpus.type', why: 'a pbs backend asks only for a number of GPUs, not a GPU type; remove the type' });
  if (profile.resources?.mig !== undefined) problems.push({ key: 'resources.mig', why: 'a pbs backend cannot ask for MIG slices' });
  return problems;
}
