/**
 * Validation of user, group and server names. Names end up in URL paths, cookie names, process
 * working directories and (later) pod names and Slurm job names, so they are restricted to a safe set.
 */

/** User and group names: 1–64 chars, start with a letter or digit, then letters, digits, `.`, `_`, `-`, `@`. */
const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** JupyterHub 6 rule for new named servers: 1–30 chars, lowercase, start with a letter, single hyphens. */
const SERVER_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,29}$/;

/** True when `name` is acceptable as a user or group name (no `/`, no `..`, no whitespace). */
export function isValidUserName(name: string): boolean {
  return USER_NAME.test(name) && !name.includes('..');
}

/** True when `name` is acceptable as a new named server (the default server's name is `""`). */
export function isValidServerName(name: string): boolean {
  return name.length <= 30 && SERVER_NAME.test(name);
}
