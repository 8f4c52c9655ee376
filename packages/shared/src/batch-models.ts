/**
 * Wire models of the batch (Slurm) features of clusterhub's API (docs/batch-jobs.md): what a batch
 * profile offers now (free GPUs, the user's choices) in `GET /hub/api/clusterhub/profiles`, and the
 * jobs API `/hub/api/clusterhub/jobs`. Browser-safe: the Lab's sbatch composer reads them too.
 */

/** What the user may choose for one `user_options` key: a list, or `any` (free input; Slurm checks). */
export type BatchChoice = string[] | 'any';

/** The choices a batch profile offers a user: only the keys the profile lets them choose. */
export interface BatchChoicesModel {
  partition?: BatchChoice;
  account?: BatchChoice;
  qos?: BatchChoice;
  reservation?: BatchChoice;
  /** The walltime, `[D-]HH:MM:SS`: the profile's own (null: the partition's default) and the most allowed. */
  walltime?: { default: string | null; max: string };
}

/** A batch profile's capacity and choices for the calling user, as `profiles[].batch`. */
export interface ProfileBatchModel {
  /** The backend's name (its key in `backends`). */
  backend: string;
  /** The generic resource one job asks for, e.g. `gpu:a100:1`; null when none (CPU profiles). */
  gres: string | null;
  /** Free units of that resource now (GPUs or MIG slices); null when unknown (see `reason`) or no gres. */
  free: number | null;
  /** How many jobs of this profile could start on them now; null like `free`. */
  fits: number | null;
  /** Why `free` is null for a profile with a gres (e.g. the scheduler cannot be reached). */
  reason?: string;
  /** What the user may choose, narrowed to their Slurm associations. */
  choices: BatchChoicesModel;
  /** Why the choices are not narrowed to the associations (sacctmgr failed): the profile's lists as written. */
  choicesReason?: string;
}

/** The estimated cost of a batch job: the profile's price per hour times its walltime. */
export interface BatchJobCost {
  /** Compute units; null when the walltime is the partition's default (unknown to the hub). */
  units: number | null;
  pricePerHour: number;
  /** The walltime in seconds the estimate uses; null when unknown. */
  walltimeSeconds: number | null;
}

/** The answer of a dry run (`POST /hub/api/clusterhub/jobs` with `dry_run: true`): nothing was submitted. */
export interface BatchJobDryRunModel {
  dry_run: true;
  profile: string;
  backend: string;
  /** The script exactly as it would be submitted. */
  script: string;
  cost: BatchJobCost;
  /** The group whose budget was checked (the request's `charge_group`, else the default rule's); null for none. */
  charge_group: string | null;
  /** Slurm's expected start (`sbatch --test-only`), ISO 8601; null when it did not say. */
  expected_start: string | null;
  /** The partition and nodes Slurm would use, when it said. */
  partition: string | null;
  nodes: string | null;
}

/** One of the user's batch jobs as Slurm knows it (`squeue`, then `sacct`); the hub stores none of it. */
export interface BatchJobModel {
  /** Slurm's job id. */
  id: string;
  backend: string;
  name: string;
  /** The cluster account it runs as. */
  user: string;
  /** Slurm's state, e.g. `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED by 1001`. */
  state: string;
  /** `queued` while the controller lists it, `finished` once only accounting has it. */
  phase: 'queued' | 'finished';
  /** Slurm's reason (pending reason, or why it ended); null when none. */
  reason: string | null;
  partition: string | null;
  nodes: string | null;
  /** Start (expected start for a pending job with an estimate), ISO 8601 or null. */
  start: string | null;
  end: string | null;
  /** Exit code of a finished job; null while queued or unknown. */
  exit_code: number | null;
}

/** `POST /hub/api/clusterhub/jobs` without `dry_run`: the submitted job. */
export interface BatchJobSubmittedModel {
  id: string;
  profile: string;
  backend: string;
  cost: BatchJobCost;
  /** The group whose budget was checked (the request's `charge_group`, else the default rule's); null for none. */
  charge_group: string | null;
}
