/**
 * `scancel` and `scontrol update TimeLimit` argv, as pure functions. `scancel` of an id Slurm no
 * longer knows is silent (exit 0), so cancelling twice is harmless.
 */
import { formatWalltime } from '../duration';
import { jobIdList } from './fields';

/** `scancel`'s argv for the hub's jobs (ids checked). */
export function scancelArgs(ids: readonly string[]): string[] {
  return jobIdList(ids).split(',');
}

/**
 * `scontrol`'s argv to set a job's time limit (an admin-allowed walltime extension):
 * `update JobId=<id> TimeLimit=<[D-]HH:MM:SS>`. Throws for a bad id or a limit under one second.
 */
export function timeLimitArgs(id: string, seconds: number): string[] {
  if (!Number.isSafeInteger(seconds) || seconds < 1) throw new RangeError(`time limit ${seconds}: a positive whole number of seconds`);
  return ['update', `JobId=${jobIdList([id])}`, `TimeLimit=${formatWalltime(seconds)}`];
}
