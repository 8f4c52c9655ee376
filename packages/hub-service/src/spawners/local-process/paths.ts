/**
 * Where a locally spawned server lives on disk: its working folder (also its `HOME`) and its log
 * file. Pure functions.
 */
import * as path from 'node:path';

/** Folder inside the working folder that holds the servers' log files. */
export const LOG_FOLDER = '.clusterhub';

/**
 * Expands the `{username}` placeholders of the `workDir` template and returns an absolute path.
 *
 * @throws Error when the user name cannot be a single path segment (empty, `.`, `..`, or holding
 *   `/` or a NUL byte), so a crafted name cannot escape the template's folder.
 */
export function expandWorkDir(template: string, username: string): string {
  if (username === '' || username === '.' || username === '..' || /[/\0]/.test(username)) {
    throw new Error(`user name ${JSON.stringify(username)} cannot name a working folder`);
  }
  return path.resolve(template.split('{username}').join(username));
}

/**
 * The log file of a server: `<workDir>/.clusterhub/<server>.log`, `default.log` for the default
 * server. Characters other than letters, digits, `.`, `_` and `-` become `_`.
 */
export function logFilePath(workDir: string, serverName: string): string {
  const base = serverName === '' ? 'default' : serverName.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(workDir, LOG_FOLDER, `${base}.log`);
}
