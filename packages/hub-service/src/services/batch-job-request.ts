/**
 * The body of `POST /hub/api/clusterhub/jobs` read into a checked request, as a pure function:
 * `profile`, the user's choices as in `user_options` (`partition`, `account`, `qos`,
 * `reservation`, `walltime`: checked later against the profile by resolveJobSpec), the user's
 * batch script, an optional job name, `charge_group` (the group whose budget pays, as a server
 * start's `user_options.charge_group`) and `dry_run`. Any other key is refused (`unknown_field`).
 */
import { HubError } from '../errors';
import { CHARGE_GROUP_OPTION, chargeGroupOption } from './ledger';
import { JOB_OPTION_FIELDS } from '../spawners/batch/job-spec';
import { MAX_USER_SCRIPT_LENGTH, directiveLine } from '../spawners/batch/slurm/batch-job-script';

/** A job name the user may give (Slurm's `--job-name`): letters, digits, `_ . -`, at most 64. */
export const USER_JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The name a job gets when the request names none. */
export const DEFAULT_USER_JOB_NAME = 'batch';

/** A checked job request. */
export interface BatchJobRequest {
  readonly profile: string;
  /** The user's lines, run after the hub's part of the script. */
  readonly script: string;
  readonly name: string;
  readonly dryRun: boolean;
  /** The `user_options`-like choices, unchecked (resolveJobSpec checks them against the profile). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The group the user chose to charge; null for the default rule (checked against the profile later). */
  readonly chargeGroup: string | null;
}

const KNOWN = new Set<string>(['profile', 'script', 'name', 'dry_run', CHARGE_GROUP_OPTION, ...JOB_OPTION_FIELDS]);

function invalidScript(message: string, details: Record<string, unknown> = {}): HubError {
  return new HubError('invalid_job_script', message, { details: { field: 'script', ...details } });
}

/**
 * Reads and checks a request body. Throws HubError: `validation_failed` (not an object, a wrong
 * type), `unknown_field`, `unknown_profile` (no profile named), `invalid_job_script` (empty, too
 * long, NUL, a scheduler directive: the line is named), `invalid_charge_group` (not a non-empty string).
 */
export function parseBatchJobRequest(body: unknown): BatchJobRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HubError('validation_failed', 'The body must be a JSON object.');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!KNOWN.has(key)) throw new HubError('unknown_field', `Unknown field "${key.slice(0, 64)}" in body.`, { details: { field: key.slice(0, 64), path: 'body' } });
  }
  if (b.profile === undefined || b.profile === '') throw new HubError('unknown_profile', 'Name the profile of the job (profile).', { details: { field: 'profile' } });
  if (typeof b.profile !== 'string') throw new HubError('validation_failed', 'Invalid profile: must be a string.', { details: { path: 'profile' } });
  if (b.dry_run !== undefined && typeof b.dry_run !== 'boolean') throw new HubError('validation_failed', 'Invalid dry_run: must be true or false.', { details: { path: 'dry_run' } });
  let name = DEFAULT_USER_JOB_NAME;
  if (b.name !== undefined) {
    if (typeof b.name !== 'string' || !USER_JOB_NAME.test(b.name)) {
      throw new HubError('validation_failed', 'Invalid name: letters, digits, _ . - (starting with a letter or digit), at most 64.', { details: { path: 'name' } });
    }
    name = b.name;
  }
  if (typeof b.script !== 'string') throw invalidScript('The job needs a script (script): the lines to run, as a string.');
  const script = b.script;
  if (script.trim() === '') throw invalidScript('The script is empty.');
  if (script.length > MAX_USER_SCRIPT_LENGTH) throw invalidScript(`The script is longer than ${MAX_USER_SCRIPT_LENGTH} characters.`);
  if (script.includes('\0')) throw invalidScript('The script holds a NUL character.');
  const directive = directiveLine(script);
  if (directive) {
    throw invalidScript(
      `Line ${directive.line} of the script is a scheduler directive (${JSON.stringify(directive.text)}): the hub sets the job's directives from the profile and your choices; remove the line.`,
      { line: directive.line },
    );
  }
  const options: Record<string, unknown> = {};
  for (const field of JOB_OPTION_FIELDS) if (Object.prototype.hasOwnProperty.call(b, field)) options[field] = b[field];
  return { profile: b.profile, script, name, dryRun: b.dry_run === true, options, chargeGroup: chargeGroupOption(b) };
}
