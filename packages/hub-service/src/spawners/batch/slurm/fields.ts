/**
 * Splitting the delimited lines Slurm's commands print (`squeue -o 'a|b|c'`, `sacct -P`,
 * `sacctmgr -P`), as pure functions. The last field may itself hold the delimiter (a job name), so
 * it takes the rest of the line.
 */

/**
 * Splits `line` into exactly `count` fields on `|`, the last one taking the rest; `null` when the
 * line has fewer fields (a line that is not a record: a warning, a truncated line).
 */
export function splitFields(line: string, count: number): string[] | null {
  const parts = line.split('|');
  if (parts.length < count) return null;
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join('|')];
}

/** The non-empty lines of a command's output, without trailing `\r`. */
export function outputLines(text: string): string[] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
}

/** A Slurm job id as the hub passes it on: `123` or an array task `123_4`. */
export const JOB_ID = /^[0-9]{1,12}(?:_[0-9]{1,9})?$/;

/** Throws a `RangeError` unless every id is a {@link JOB_ID}; returns them comma-joined. */
export function jobIdList(ids: readonly string[]): string {
  if (ids.length === 0) throw new RangeError('no job ids');
  for (const id of ids) if (!JOB_ID.test(id)) throw new RangeError(`job id ${JSON.stringify(id.slice(0, 40))} is not a Slurm job id`);
  return ids.join(',');
}
