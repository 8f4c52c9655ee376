/**
 * `scontrol --oneliner show job <id>`: the last word on a job that just left the queue while
 * accounting (slurmdbd) has not recorded it yet — its final state, exit code and reason, as pure
 * functions.
 */
import { slurmPhase, type FinishedJobView } from '../job-state';
import { JOB_ID } from './fields';
import { outputTailOfComment } from './sbatch-script';

/** The argv for one job; throws a `RangeError` for an id that is not a Slurm job id. */
export function scontrolShowJobArgs(id: string): string[] {
  if (!JOB_ID.test(id)) throw new RangeError(`job id ${JSON.stringify(id.slice(0, 40))} is not a Slurm job id`);
  return ['--oneliner', 'show', 'job', id];
}

/** `Key=Value` pairs of a one-line record (values run to the next space). */
function fieldsOf(line: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of line.matchAll(/(?:^|\s)([A-Za-z/:]+)=(\S*)/g)) if (m[1] && !out.has(m[1])) out.set(m[1], m[2] ?? '');
  return out;
}

/**
 * The finished view of `scontrol --oneliner show job` output, or null when the job is not in a
 * final state (or the text is not a job record). `ExitCode=3:0` is the exit code and the signal.
 */
export function parseScontrolJob(text: string): FinishedJobView | null {
  const line = text.split('\n').find((l) => l.includes('JobState='));
  if (!line) return null;
  const f = fieldsOf(line.trim());
  const state = f.get('JobState') ?? '';
  if (slurmPhase(state) !== 'ended') return null;
  const exit = /^([0-9]+):([0-9]+)$/.exec(f.get('ExitCode') ?? '');
  const reason = f.get('Reason');
  const tail = outputTailOfComment(f.get('Comment'));
  return {
    state,
    exitCode: exit ? Number(exit[1]) : null,
    signal: exit ? Number(exit[2]) : null,
    reason: reason && reason !== 'None' ? reason : null,
    ...(tail ? { outputTail: tail } : {}),
  };
}
