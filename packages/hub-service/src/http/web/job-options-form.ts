/**
 * The batch choices of a start form (the home page's per-profile forms, docs/batch-jobs.md): the form
 * fields named like the `user_options` keys a batch backend reads, passed on as they are (the
 * backend checks them against the profile before anything is submitted).
 */
import { JOB_OPTION_FIELDS } from '../../spawners/batch/job-spec';

/** The non-empty `partition`, `account`, `qos`, `reservation`, `walltime` fields of a form (arrays and other types are kept for the check to refuse). */
export function jobOptionsOfForm(form: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of JOB_OPTION_FIELDS) {
    const value = form[field];
    if (value !== undefined && value !== '') out[field] = value;
  }
  return out;
}
