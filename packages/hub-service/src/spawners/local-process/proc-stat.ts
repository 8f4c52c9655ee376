/**
 * Reading `/proc/<pid>/stat` (Linux): the process state and its start time, which together with
 * the pid identify a process for good (a recycled pid has another start time).
 */
import { readFile } from 'node:fs/promises';

/** The two fields of `/proc/<pid>/stat` the spawner uses. */
export interface ProcStat {
  /** Field 3: `R`, `S`, `D`, `T`, `Z` (zombie), `X` (dead), … */
  readonly state: string;
  /** Field 22: start time in clock ticks after boot. */
  readonly startTime: number;
}

/** The fields after the command name: field n (n ≥ 3) is at index n - 3. */
function fieldsAfterName(text: string): string[] {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc stat: no command name');
  return text.slice(close + 1).trim().split(/\s+/);
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself
 * hold spaces and parentheses, so fields are counted from the last `)`.
 *
 * @throws Error when the text does not have the expected shape.
 */
export function parseProcStat(text: string): ProcStat {
  const fields = fieldsAfterName(text);
  const state = fields[0];
  const startField = fields[22 - 3];
  if (state === undefined || startField === undefined || !/^\d+$/.test(startField)) {
    throw new Error('malformed /proc stat: missing fields');
  }
  return { state, startTime: Number(startField) };
}

/**
 * Reads and parses `/proc/<pid>/stat`.
 *
 * @throws the file-system error (code `ENOENT` or `ESRCH` when there is no such process) or the
 *   parse error of {@link parseProcStat}.
 */
export async function readProcStat(pid: number, procRoot = '/proc'): Promise<ProcStat> {
  const text = await readFile(`${procRoot}/${pid}/stat`, { encoding: 'utf8', signal: AbortSignal.timeout(5000) });
  return parseProcStat(text);
}

/** Whether a state letter means the process has finished (a zombie not yet reaped, or dead). */
export function isFinishedState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** Where a process sits in the process tree: fields 4–6 of `/proc/<pid>/stat`. */
export interface ProcIds {
  /** Field 4: the parent's pid. */
  readonly ppid: number;
  /** Field 5: the process group id. */
  readonly pgrp: number;
  /** Field 6: the session id. */
  readonly session: number;
}

/**
 * Parses the parent, process group and session ids from the text of `/proc/<pid>/stat` (the
 * command name is skipped as in {@link parseProcStat}).
 *
 * @throws Error when the text does not have the expected shape.
 */
export function parseProcIds(text: string): ProcIds {
  const [ppid, pgrp, session] = fieldsAfterName(text).slice(1, 4);
  if ([ppid, pgrp, session].some((field) => field === undefined || !/^-?\d+$/.test(field))) {
    throw new Error('malformed /proc stat: missing fields');
  }
  return { ppid: Number(ppid), pgrp: Number(pgrp), session: Number(session) };
}

/**
 * Reads the parent, process group and session ids of `pid`.
 *
 * @throws the file-system error (`ENOENT` or `ESRCH` when there is no such process) or the parse
 *   error of {@link parseProcIds}.
 */
export async function readProcIds(pid: number, procRoot = '/proc'): Promise<ProcIds> {
  const text = await readFile(`${procRoot}/${pid}/stat`, { encoding: 'utf8', signal: AbortSignal.timeout(5000) });
  return parseProcIds(text);
}
