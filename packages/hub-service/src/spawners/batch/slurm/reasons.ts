/**
 * Slurm's pending reasons (`squeue %r`) in plain words for users, as a pure function. Unknown
 * reasons are passed through readably (`SomeNewReason` → "some new reason"), never dropped.
 */

/** A pending reason explained. */
export interface PendingReason {
  /** Slurm's code, e.g. `QOSMaxGRESPerUser` (`ReqNodeNotAvail` also for its variants). */
  readonly code: string;
  /** One or two sentences for the user. */
  readonly text: string;
  /** True when the job cannot start as submitted (a limit it exceeds, a bad account): waiting will not help. */
  readonly blocked: boolean;
}

type Entry = readonly [text: string, blocked?: boolean];

const GPU_LIMIT = 'GPUs (or other generic resources)';

/** Slurm 22.05's reason codes that users meet, explained. */
const REASONS: Readonly<Record<string, Entry>> = {
  Priority: ['Other jobs with a higher priority are ahead of yours in this partition; it starts when their turn is done.'],
  Resources: ['Waiting for resources: the nodes, CPUs, memory or GPUs this job needs are busy right now.'],
  Dependency: ['Waiting for another job it depends on to finish.'],
  DependencyNeverSatisfied: ['It depends on a job that failed or was cancelled, so it can never start.', true],
  BeginTime: ['It is scheduled to start later (its begin time is in the future).'],
  JobHeldUser: ['It is held by its owner; release it (scontrol release) or cancel it.'],
  JobHeldAdmin: ['It is held by an administrator; ask your HPC support why.'],
  Reservation: ['Waiting for its reservation to begin.'],
  ReqNodeNotAvail: ['Some nodes it needs are not available (down, drained or reserved for maintenance).'],
  NodeDown: ['A node it needs is down.'],
  PartitionDown: ['The partition is down; jobs wait until the administrators bring it back.'],
  PartitionInactive: ['The partition is inactive; jobs wait until the administrators reopen it.'],
  PartitionTimeLimit: ['Its walltime is longer than this partition allows, so it will never start: choose a shorter walltime.', true],
  PartitionNodeLimit: ['It asks for more nodes than this partition allows.', true],
  PartitionConfig: ['It asks for more than this partition offers (CPUs, memory or GPUs).', true],
  InvalidAccount: ['The account is not valid for you (or not on this partition): choose another account.', true],
  InvalidQOS: ['The QoS is not valid for you or this account: choose another QoS.', true],
  QOSNotAllowed: ['This QoS is not allowed on this partition or account: choose another QoS.', true],
  BadConstraints: ['No node has the features it asks for (constraint), so it cannot start.', true],
  AssocGrpGRES: [`Your account's group is at its limit of ${GPU_LIMIT} in use at once; it starts when some are freed.`],
  AssocGrpCpuLimit: ["Your account's group is at its limit of CPUs in use at once; it starts when some are freed."],
  AssocGrpMemLimit: ["Your account's group is at its limit of memory in use at once; it starts when some is freed."],
  AssocGrpNodeLimit: ["Your account's group is at its limit of nodes in use at once; it starts when some are freed."],
  AssocGrpJobsLimit: ["Your account's group is at its limit of running jobs; it starts when one of them ends."],
  AssocGrpSubmitJobsLimit: ["Your account's group is at its limit of queued jobs."],
  AssocGrpGRESMinutes: [`Your account's allocation of ${GPU_LIMIT} time is used up; ask for more or use another account.`, true],
  AssocGrpCPUMinutesLimit: ["Your account's allocation of CPU time is used up; ask for more or use another account.", true],
  AssocGrpBillingMinutes: ["Your account's allocation is used up; ask for more or use another account.", true],
  AssocMaxJobsLimit: ['You are at your limit of running jobs for this account; it starts when one of them ends.'],
  AssocMaxWallDurationPerJobLimit: ['Its walltime is longer than your account allows: choose a shorter walltime.', true],
  AssocMaxGRESPerJob: [`It asks for more ${GPU_LIMIT} than your account allows per job.`, true],
  QOSMaxGRESPerUser: [`You are at your QoS limit of ${GPU_LIMIT} in use at once; it starts when one of your other jobs ends.`],
  QOSMaxCpuPerUserLimit: ['You are at your QoS limit of CPUs in use at once; it starts when one of your other jobs ends.'],
  QOSMaxMemoryPerUser: ['You are at your QoS limit of memory in use at once; it starts when one of your other jobs ends.'],
  QOSMaxNodePerUserLimit: ['You are at your QoS limit of nodes in use at once; it starts when one of your other jobs ends.'],
  QOSMaxJobsPerUserLimit: ['You are at your QoS limit of running jobs; it starts when one of your other jobs ends.'],
  QOSMaxSubmitJobPerUserLimit: ['You are at your QoS limit of queued jobs.'],
  QOSMaxWallDurationPerJobLimit: ['Its walltime is longer than the QoS allows, so it will never start: choose a shorter walltime.', true],
  QOSMaxGRESPerJob: [`It asks for more ${GPU_LIMIT} than the QoS allows per job.`, true],
  QOSMaxCpuPerJobLimit: ['It asks for more CPUs than the QoS allows per job.', true],
  QOSMaxNodePerJobLimit: ['It asks for more nodes than the QoS allows per job.', true],
  QOSMinGRES: [`It asks for fewer ${GPU_LIMIT} than the QoS requires.`, true],
  QOSGrpGRES: [`The QoS is at its limit of ${GPU_LIMIT} in use at once (for everyone using it); it starts when some are freed.`],
  QOSGrpCpuLimit: ['The QoS is at its limit of CPUs in use at once (for everyone using it); it starts when some are freed.'],
  QOSGrpMemLimit: ['The QoS is at its limit of memory in use at once (for everyone using it); it starts when some is freed.'],
  QOSGrpNodeLimit: ['The QoS is at its limit of nodes in use at once (for everyone using it); it starts when some are freed.'],
  QOSGrpJobsLimit: ['The QoS is at its limit of running jobs (for everyone using it); it starts when one ends.'],
  QOSJobLimit: ['The QoS is at its limit of running jobs; it starts when one ends.'],
  QOSResourceLimit: ['The QoS is at one of its resource limits; it starts when resources are freed.'],
  QOSTimeLimit: ['The QoS is at its time limit.'],
  JobArrayTaskLimit: ['The job array is at its limit of tasks running at once.'],
  Licenses: ['Waiting for a license it needs.'],
  Cleaning: ['Its previous run is being cleaned up before it can start again.'],
  Prolog: ["The node's prologue is running; the job starts right after."],
  PowerUpNode: ['A powered-down node is being started for it.'],
  Configuring: ['Its nodes are being set up; it starts shortly.'],
  FrontEndDown: ['No front-end node is available to start it.'],
  SystemFailure: ['A Slurm or node failure holds it; ask your HPC support.'],
  launch_failed_requeued_held: ['Its start failed and it was put back on hold; ask your HPC support.'],
  BurstBufferResources: ['Waiting for burst-buffer storage.'],
  WaitingForScheduling: ['The scheduler has not looked at it yet; this usually takes seconds.'],
  SchedDefer: ['The scheduler has not looked at it yet; this usually takes seconds.'],
};

/** Control characters and anything outside printable ASCII are dropped from text Slurm gives. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 200);
}

/** `SomeNewReason` / `some_new_reason` → `some new reason`. */
function words(code: string): string {
  return code
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/**
 * Explains a reason as `squeue %r` prints it: `Priority`, `(Resources)`, `ReqNodeNotAvail,
 * UnavailableNodes:n[1-2]`, `ReqNodeNotAvail, Reserved for maintenance`, … `null` for no reason
 * (`None`, empty). Unknown codes come back in words, marked as Slurm's.
 */
export function explainReason(raw: string): PendingReason | null {
  const text = printable(raw).replace(/^\((.*)\)$/, '$1').trim();
  if (text === '' || text === 'None') return null;
  const [head = '', ...rest] = text.split(',');
  const code = head.trim();
  const detail = rest.join(',').trim();
  if (code === 'ReqNodeNotAvail' && /Reserved for maintenance/i.test(detail)) {
    return {
      code,
      text: 'The nodes it needs are reserved for maintenance; it starts after the maintenance window (a shorter walltime that ends before the maintenance lets it start now).',
      blocked: false,
    };
  }
  const entry = REASONS[code];
  if (entry) {
    const unavailable = /UnavailableNodes:(\S*)/.exec(detail)?.[1];
    const more = unavailable ? ` Unavailable: ${unavailable}.` : '';
    return { code, text: `${entry[0]}${more}`, blocked: entry[1] === true };
  }
  const said = detail ? `${words(code)} (${detail})` : words(code);
  return { code, text: `Slurm says: ${said}.`, blocked: false };
}
