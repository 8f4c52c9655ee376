/**
 * What a batch job asks the scheduler for, from a profile and the user's start options, as a pure
 * function. Shared by the Slurm and PBS dialects (PBS: `partition` is the queue).
 *
 * Trust: the profile is the admin's (validated by the config schema); `userOptions` is untrusted.
 * Every user value is checked against the strict name/duration grammar first — type, length,
 * characters — and only then against what the profile's `slurm.choices` allows. Anything wrong is a
 * `HubError('invalid_user_option')` naming the field (`details.field`); nothing is submitted.
 */
import { parseQuantity, type ProfileConfig } from '@clusterhub/shared';
import { HubError } from '../../errors';
import { formatWalltime, parseWalltime } from './duration';

/** What is submitted: the scheduler-neutral request of one job. */
export interface JobSpec {
  /** Partition (PBS: queue); the scheduler's default when absent. */
  readonly partition?: string;
  /** Account charged. */
  readonly account?: string;
  /** Quality of service. */
  readonly qos?: string;
  /** Reservation. */
  readonly reservation?: string;
  /** Node features (Slurm `--constraint` syntax). */
  readonly constraint?: string;
  /** Time limit, normalised `[D-]HH:MM:SS`; the partition's default when absent. */
  readonly walltime?: string;
  /** The same time limit in seconds. */
  readonly walltimeSeconds?: number;
  /** CPU cores (at least 1). */
  readonly cpus: number;
  /** Memory in MiB (at least 1); the scheduler's default when absent. */
  readonly memoryMiB?: number;
  /** Generic resources, e.g. `gpu:a100:2` or `gpu:1g.5gb:1`. */
  readonly gres?: string;
  /** The admin's shell lines run before the server (never user input). */
  readonly prologue: readonly string[];
}

/** The user options a batch backend reads; any other key of `user_options` is ignored. */
export const JOB_OPTION_FIELDS = ['partition', 'account', 'qos', 'reservation', 'walltime'] as const;

/** One of {@link JOB_OPTION_FIELDS}. */
export type JobOptionField = (typeof JOB_OPTION_FIELDS)[number];

/** A partition, account, QoS or reservation name (the schema's SlurmName), ASCII only. */
export const SCHEDULER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A gres type (GPU model or MIG profile), ASCII only. */
const GRES_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Longest user value looked at: longer ones are refused before any pattern runs. */
const MAX_OPTION_LENGTH = 64;

const MIB = 1024 * 1024;

/** A refused user option: 400 `invalid_user_option` with the field named. */
function invalid(profile: ProfileConfig, field: JobOptionField, why: string): HubError {
  return new HubError('invalid_user_option', `Start option '${field}' for profile '${profile.slug}': ${why}.`, { details: { field } });
}

/** Step 1: the raw user values, each checked for type, length and grammar (nothing else yet). */
function wellFormedOptions(profile: ProfileConfig, userOptions: Readonly<Record<string, unknown>>): Partial<Record<JobOptionField, string>> {
  const out: Partial<Record<JobOptionField, string>> = {};
  for (const field of JOB_OPTION_FIELDS) {
    if (!Object.prototype.hasOwnProperty.call(userOptions, field)) continue;
    const value = userOptions[field];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') throw invalid(profile, field, 'must be a string');
    if (value.length > MAX_OPTION_LENGTH) throw invalid(profile, field, `is longer than ${MAX_OPTION_LENGTH} characters`);
    if (field === 'walltime') {
      if (parseWalltime(value) === null) throw invalid(profile, field, 'must be a duration [D-]HH:MM:SS (e.g. 02:00:00 or 1-12:00:00)');
    } else if (!SCHEDULER_NAME.test(value)) {
      throw invalid(profile, field, 'must be a name of letters, digits, _ . - (starting with a letter or digit, at most 64)');
    }
    out[field] = value;
  }
  return out;
}

/** Step 2: each given name is one the profile lets the user choose. */
function checkNameAllowed(profile: ProfileConfig, field: Exclude<JobOptionField, 'walltime'>, value: string): void {
  const choice = profile.slurm?.choices?.[field];
  if (choice === undefined) throw invalid(profile, field, 'cannot be chosen (the profile fixes it)');
  if (choice === 'any') return;
  if (!choice.includes(value)) throw invalid(profile, field, `'${value}' is not offered (choose one of: ${choice.join(', ')})`);
}

/** Step 2 for the walltime: positive and at most `choices.maxWalltime`. Returns seconds. */
function allowedWalltime(profile: ProfileConfig, value: string): number {
  const max = profile.slurm?.choices?.maxWalltime;
  const maxSeconds = max === undefined ? null : parseWalltime(max);
  if (max === undefined || maxSeconds === null) throw invalid(profile, 'walltime', 'cannot be chosen (the profile fixes it)');
  const seconds = parseWalltime(value) ?? 0;
  if (seconds <= 0) throw invalid(profile, 'walltime', 'must be longer than 00:00:00');
  if (seconds > maxSeconds) throw invalid(profile, 'walltime', `${value} is longer than the most this profile allows (${max})`);
  return seconds;
}

/** The profile's own walltime in seconds; a `RangeError` naming the key when it is unreadable. */
function profileWalltime(profile: ProfileConfig): number | undefined {
  const value = profile.resources?.walltime;
  if (value === undefined) return undefined;
  const seconds = parseWalltime(value);
  if (seconds === null) throw new RangeError(`profiles[${profile.slug}].resources.walltime: ${JSON.stringify(value)} is not [D-]HH:MM:SS`);
  return seconds;
}

/** CPU cores: the ceiling of the limit, else of the guarantee, else 1. */
function cpusOf(profile: ProfileConfig): number {
  const cpu = profile.resources?.cpu;
  return Math.max(1, Math.ceil(cpu?.limit ?? cpu?.guarantee ?? 1));
}

/** Memory in MiB from the limit, else the guarantee (rounded up, at least 1: `--mem=0` means "all"). */
function memoryOf(profile: ProfileConfig): number | undefined {
  const mem = profile.resources?.memory;
  const quantity = mem?.limit ?? mem?.guarantee;
  if (quantity === undefined) return undefined;
  let bytes: number;
  try {
    bytes = parseQuantity(quantity);
  } catch (err) {
    throw new RangeError(`profiles[${profile.slug}].resources.memory: ${(err as Error).message}`);
  }
  return Math.max(1, Math.ceil(bytes / MIB));
}

/** Gres: `slurm.gres` as written, else `gpu[:type]:N` from `resources.gpus`, else `gpu:<mig profile>:N`. */
export function gresOf(profile: ProfileConfig): string | undefined {
  if (profile.slurm?.gres !== undefined) return profile.slurm.gres;
  const { gpus, mig } = profile.resources ?? {};
  const typed = (type: string | undefined, key: string): string => {
    if (type === undefined) return '';
    if (!GRES_TYPE.test(type)) throw new RangeError(`profiles[${profile.slug}].${key}: ${JSON.stringify(type)} is not a gres type (letters, digits, _ . -)`);
    return `:${type}`;
  };
  if (gpus) return `gpu${typed(gpus.type, 'resources.gpus.type')}:${gpus.count}`;
  if (mig) return `gpu${typed(mig.profile, 'resources.mig.profile')}:${mig.count ?? 1}`;
  return undefined;
}

/**
 * The job a start submits: the profile's `slurm` section and resources, overridden by the user's
 * `partition`, `account`, `qos`, `reservation` and `walltime` where `slurm.choices` allows it.
 * Throws `HubError('invalid_user_option')` (400, `details.field`) for a malformed or not-allowed
 * value, and a `RangeError` naming the key for a profile value it cannot use.
 */
export function resolveJobSpec(profile: ProfileConfig, userOptions: Readonly<Record<string, unknown>>): JobSpec {
  const given = wellFormedOptions(profile, userOptions);
  for (const field of ['partition', 'account', 'qos', 'reservation'] as const) {
    const value = given[field];
    if (value !== undefined) checkNameAllowed(profile, field, value);
  }
  const walltimeSeconds = given.walltime !== undefined ? allowedWalltime(profile, given.walltime) : profileWalltime(profile);
  const slurm = profile.slurm ?? {};
  const pick = (field: 'partition' | 'account' | 'qos' | 'reservation'): { [K in typeof field]?: string } => {
    const value = given[field] ?? slurm[field];
    return value === undefined ? {} : { [field]: value };
  };
  const memoryMiB = memoryOf(profile);
  const gres = gresOf(profile);
  return {
    ...pick('partition'),
    ...pick('account'),
    ...pick('qos'),
    ...pick('reservation'),
    ...(slurm.constraint !== undefined ? { constraint: slurm.constraint } : {}),
    ...(walltimeSeconds !== undefined ? { walltime: formatWalltime(walltimeSeconds), walltimeSeconds } : {}),
    cpus: cpusOf(profile),
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    ...(gres !== undefined ? { gres } : {}),
    prologue: [...(slurm.prologue ?? [])],
  };
}
