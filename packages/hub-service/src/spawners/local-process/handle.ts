/** The persisted handle of a locally spawned server, and its validation. */
import type { SpawnHandle } from '../spawner';

/** What the hub persists for a local server; all a later hub needs to poll or stop it. */
export interface LocalProcessHandle {
  /** Process id of the server. */
  readonly pid: number;
  /** Its process group (the server leads its own group, so `pgid === pid`). */
  readonly pgid: number;
  /** Port it listens on. */
  readonly port: number;
  /** Address it listens on. */
  readonly ip: string;
  /** Start time from `/proc/<pid>/stat` field 22; tells the process from a later one with its pid. */
  readonly startedAt: number;
  /** Absolute path of the file its stdout and stderr go to. */
  readonly logPath: string;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Converts a handle to the JSON-serializable record the hub persists. */
export function toSpawnHandle(handle: LocalProcessHandle): SpawnHandle {
  return { ...handle };
}

/**
 * Reads a persisted handle back; null when it is not a local-process handle (another backend's, or
 * corrupt).
 */
export function parseLocalProcessHandle(handle: SpawnHandle): LocalProcessHandle | null {
  const { pid, pgid, port, ip, startedAt, logPath } = handle;
  if (!isPositiveInteger(pid) || !isPositiveInteger(pgid) || !isPositiveInteger(port)) return null;
  if (typeof startedAt !== 'number' || !Number.isSafeInteger(startedAt) || startedAt < 0) return null;
  if (typeof ip !== 'string' || typeof logPath !== 'string') return null;
  return { pid, pgid, port, ip, startedAt, logPath };
}
