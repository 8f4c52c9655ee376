/**
 * Which local server a GPU process belongs to. A server launched by the local-process backend leads
 * its own process group and session, so its children share its group; a kernel started by
 * jupyter_client gets a new session of its own (`start_new_session`), so it is found through its
 * parents instead. A process belongs to the server that is the process itself, leads its group or
 * session, or is one of its ancestors.
 */
import { readProcIds, type ProcIds } from '../../spawners/local-process/proc-stat';

/** What the collector knows of a running local server. */
export interface WatchedServer {
  /** The key its readings are recorded under (chosen by the caller, e.g. `alice/` or `alice/gpu`). */
  readonly key: string;
  /** Its process id. */
  readonly pid: number;
  /** Its process group (the local-process backend's servers lead theirs: `pgid === pid`). */
  readonly pgid: number;
}

/** Reads where a pid sits in the process tree; null when it is gone or unreadable. */
export type ProcIdsReader = (pid: number) => Promise<ProcIds | null>;

/** How far up the parent chain the search goes. */
export const MAX_ANCESTRY = 64;

/** A {@link ProcIdsReader} over `/proc` (or another root); a vanished process reads as null. */
export function procIdsReader(procRoot = '/proc'): ProcIdsReader {
  return async (pid) => {
    try {
      return await readProcIds(pid, procRoot);
    } catch {
      return null;
    }
  };
}

/**
 * The server `pid` belongs to, or null (another user's process, a process outside any server, or
 * one that ended meanwhile).
 */
export async function findOwner(pid: number, servers: readonly WatchedServer[], readIds: ProcIdsReader): Promise<WatchedServer | null> {
  let current = pid;
  for (let depth = 0; depth < MAX_ANCESTRY && current > 1; depth += 1) {
    const itself = servers.find((server) => server.pid === current);
    if (itself) return itself;
    const ids = await readIds(current);
    if (!ids) return null;
    const leader = servers.find((server) => server.pgid === ids.pgrp || server.pgid === ids.session);
    if (leader) return leader;
    current = ids.ppid;
  }
  return null;
}
