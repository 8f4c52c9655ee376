/**
 * How a local server is launched: the argv that drops to the user's account, sets the umask and
 * the memory limit, then execs the server, so the server keeps the pid the hub recorded. Pure,
 * apart from {@link unreachableAncestor}, which reads file modes.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { RunAsAccount } from './accounts';

/** Folders util-linux's tools are looked for in (the servers' PATH may not have them). */
const SYSTEM_BIN = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** The absolute path of a system tool (`prlimit`, `setpriv`), or its bare name when none is found. */
function systemTool(name: string): string {
  for (const dir of SYSTEM_BIN) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

/** What {@link launchArgv} needs. */
export interface LaunchSpec {
  /** The server command (absolute path or a name looked up in PATH) and its arguments. */
  readonly command: string;
  readonly args: readonly string[];
  /** The account to run as. */
  readonly account: RunAsAccount;
  /** Per-process `RLIMIT_DATA` in bytes, or null for none. */
  readonly dataLimitBytes: number | null;
}

/**
 * The program and arguments that run `command` as `account`:
 * `prlimit --data=N:N --` (as root, so the user cannot raise it), then
 * `setpriv --reuid --regid --init-groups --` (uid, primary and supplementary groups), then
 * `/bin/sh -c 'umask 077 && exec "$0" "$@"'`. Each step execs the next.
 */
export function launchArgv(spec: LaunchSpec): { readonly file: string; readonly args: readonly string[] } {
  const chain: string[] = [];
  if (spec.dataLimitBytes !== null) chain.push(systemTool('prlimit'), `--data=${spec.dataLimitBytes}:${spec.dataLimitBytes}`, '--');
  if (spec.account.switchUser) {
    chain.push(systemTool('setpriv'), `--reuid=${spec.account.uid}`, `--regid=${spec.account.gid}`, '--init-groups', '--');
  }
  chain.push('/bin/sh', '-c', 'umask 077 && exec "$0" "$@"', spec.command, ...spec.args);
  const [file, ...args] = chain;
  return { file: file ?? '/bin/sh', args };
}

/** The permission bit (x for folders) `account` would be checked against for a file with `st`. */
function classBit(st: { uid: number; gid: number }, account: RunAsAccount, bits: { user: number; group: number; other: number }): number {
  if (st.uid === account.uid) return bits.user;
  if (st.gid === account.gid) return bits.group;
  return bits.other;
}

/**
 * The first folder on the way to `target` that `account` may not pass (no search permission), or
 * the target itself when `executable` and the account may not run it; null when all is well.
 * Only primary-group and other bits are considered (supplementary groups and ACLs are not).
 */
export async function unreachableAncestor(target: string, account: RunAsAccount, executable = false): Promise<string | null> {
  if (!account.switchUser) return null;
  const absolute = path.resolve(target);
  const parts = absolute.split(path.sep).filter((p) => p !== '');
  let current: string = path.sep;
  const X = { user: 0o100, group: 0o010, other: 0o001 };
  for (let i = 0; i < parts.length; i += 1) {
    const st = await stat(current);
    if ((st.mode & classBit(st, account, X)) === 0) return current;
    current = path.join(current, parts[i] ?? '');
  }
  if (executable) {
    const st = await stat(current);
    if ((st.mode & classBit(st, account, X)) === 0) return current;
  }
  return null;
}
