/**
 * Where a locally spawned server lives on disk: its working folder and its log file. Pure.
 */
import * as path from 'node:path';
import { unixAccountName } from './account-name';

/** What the `workDir` template may name. */
export interface WorkDirVars {
  /** The hub user name (`{username}`); must be usable as one path segment. */
  readonly username: string;
  /** The Unix account the server runs as (`{account}`). */
  readonly account: string;
  /** That account's home folder (`{home}`). */
  readonly home: string;
}

/**
 * Expands the `{username}`, `{account}` and `{home}` placeholders of the `workDir` template and
 * returns an absolute path.
 *
 * @throws Error when the template uses `{username}` and the user name cannot be a single path
 *   segment (empty, `.`, `..`, or holding `/` or a NUL byte), so a crafted name cannot escape the
 *   template's folder.
 */
export function expandWorkDir(template: string, vars: WorkDirVars): string {
  const { username } = vars;
  if (template.includes('{username}') && (username === '' || username === '.' || username === '..' || /[/\0]/.test(username))) {
    throw new Error(`user name ${JSON.stringify(username)} cannot name a working folder`);
  }
  const expanded = template.split('{username}').join(username).split('{account}').join(vars.account).split('{home}').join(vars.home);
  return path.resolve(expanded);
}

/**
 * The log file of a server, in the hub's own log folder (never in a folder the user can write,
 * where the hub, as root, could be tricked into following a link):
 * `<logDir>/<user>/<server>.log`, `default.log` for the default server. The user segment is the
 * user name mapped as account names are (safe characters, injective); characters of the server
 * name other than letters, digits, `.`, `_` and `-` become `_`.
 */
export function logFilePath(logDir: string, hubUserName: string, serverName: string): string {
  const base = serverName === '' ? 'default' : serverName.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(logDir, unixAccountName('{username}', hubUserName), `${base}.log`);
}
