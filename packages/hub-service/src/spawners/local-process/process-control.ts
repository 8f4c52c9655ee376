/**
 * Observing and signalling a local server process from its identity (pid + start time) alone, so a
 * restarted hub can poll and stop the servers an earlier hub launched.
 */
import type { PollResult } from '../spawner';
import { sleep } from '../abort';
import { isFinishedState, readProcStat } from './proc-stat';

/** What identifies one process for good: a pid is recycled, a (pid, start time) pair is not. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Start time from `/proc/<pid>/stat` field 22 (clock ticks after boot). */
  readonly startedAt: number;
}

/** Interval between two checks while waiting for a process to go, in milliseconds. */
export const WAIT_INTERVAL_MS = 50;

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * The state of the process: `running` when it exists, is not a zombie and has the recorded start
 * time; `stopped` (exit code unknown, so `null`) when it is gone, finished, or its pid now belongs
 * to another process; `unknown` only when `/proc` cannot be read for another reason than the
 * process being gone.
 */
export async function checkProcess(identity: ProcessIdentity, procRoot = '/proc'): Promise<PollResult> {
  let state: string;
  let startTime: number;
  try {
    ({ state, startTime } = await readProcStat(identity.pid, procRoot));
  } catch (error: unknown) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ESRCH') return { status: 'stopped', exitCode: null };
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'unknown', message: `cannot read the state of process ${identity.pid}: ${message}` };
  }
  if (isFinishedState(state)) return { status: 'stopped', exitCode: null };
  if (startTime !== identity.startedAt) {
    return { status: 'stopped', exitCode: null, message: `process ${identity.pid} is gone (its pid was reused)` };
  }
  try {
    process.kill(identity.pid, 0);
  } catch (error: unknown) {
    // EPERM: the process exists (with the recorded start time) but is not ours to signal.
    if (errorCode(error) !== 'EPERM') return { status: 'stopped', exitCode: null };
  }
  return { status: 'running' };
}

/**
 * Sends `signal` to the process group `pgid`; when the group is gone, to `pid` alone. A process
 * that no longer exists is not an error.
 *
 * @throws the `kill` error other than `ESRCH` (e.g. `EPERM`).
 */
export function signalGroup(pgid: number, pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
    return;
  } catch (error: unknown) {
    if (errorCode(error) !== 'ESRCH') throw error;
  }
  try {
    process.kill(pid, signal);
  } catch (error: unknown) {
    if (errorCode(error) !== 'ESRCH') throw error;
  }
}

/** Whether any process is left in the group `pgid`. */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error: unknown) {
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Checks every {@link WAIT_INTERVAL_MS} until the process is no longer running or `timeoutMs`
 * passed. Resolves to whether it is gone (`unknown` counts as not gone).
 */
export async function waitUntilGone(identity: ProcessIdentity, timeoutMs: number, procRoot = '/proc'): Promise<boolean> {
  const rounds = Math.max(1, Math.ceil(timeoutMs / WAIT_INTERVAL_MS));
  for (let round = 0; round <= rounds; round += 1) {
    if ((await checkProcess(identity, procRoot)).status === 'stopped') return true;
    if (round < rounds) await sleep(WAIT_INTERVAL_MS);
  }
  return false;
}
