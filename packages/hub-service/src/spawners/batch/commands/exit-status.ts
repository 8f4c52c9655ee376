/** The exit status a shell would report for a process: its code, or `128 + n` when signal `n` ended it. Pure. */
import { constants } from 'node:os';

/** Status reported when a process ended without a code and with a signal this platform does not know. */
const UNKNOWN_SIGNAL_STATUS = 255;

/**
 * The exit status of a process that ended with `code` or by `signal` (`'SIGKILL'`, …), as a shell's
 * `$?` would show it.
 */
export function exitStatus(code: number | null, signal: string | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : (constants.signals as Readonly<Record<string, number>>)[signal];
  return number === undefined ? UNKNOWN_SIGNAL_STATUS : 128 + number;
}
