/**
 * Validation of user, group and server names.
 *
 * User and group names follow JupyterHub 6.1 (its `Authenticator.validate_username`): anything
 * but an empty name, a `/`, a name made only of dots (also once percent-decoded, e.g. `%2e%2e`)
 * or one that starts or ends with whitespace. So e-mail addresses (`ann+lab@uni.example`),
 * spaces inside, non-ASCII letters and `:` are fine. clusterhub refuses in addition control
 * characters (NUL, newlines, DEL, C1), `?` and `#` (a proxy route is a path: it cannot hold
 * them; JupyterHub would accept them) and names longer than {@link MAX_NAME_LENGTH}. Names
 * appear in URLs only percent-quoted (`quoteSegment` in api-paths.ts); mapping them onto Unix
 * accounts, folders, pods or job names is the backends' job and must not assume this safe set.
 */

/** Longest user or group name (JupyterHub's database column holds 255 characters). */
export const MAX_NAME_LENGTH = 255;

/** True when `value` contains a C0 control (NUL … US), DEL or a C1 control. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** JupyterHub 6 rule for new named servers: 1–30 chars, lowercase, start with a letter, single hyphens. */
const SERVER_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,29}$/;

/** `value` percent-decoded, or `value` itself when it is not valid percent-encoding. */
function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** True for a name made only of dots (`.`, `..`, `...`), which URL and path resolution would treat as a step. */
function onlyDots(value: string): boolean {
  return /^\.+$/.test(value);
}

/**
 * Why `name` is not acceptable as a user or group name, or null when it is. The reason is a
 * short phrase for error messages ("contains /").
 */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.includes('/')) return 'contains /';
  if (hasControlCharacter(name)) return 'contains a control character';
  if (name.includes('?') || name.includes('#')) return 'contains ? or #';
  if (onlyDots(name) || onlyDots(percentDecoded(name))) return 'is made only of dots';
  if (name !== name.trim()) return 'starts or ends with whitespace';
  return null;
}

/** True when `name` is acceptable as a user name (see {@link nameProblem}). */
export function isValidUserName(name: string): boolean {
  return nameProblem(name) === null;
}

/** True when `name` is acceptable as a group name; the same rule as user names (`:` is fine in both). */
export function isValidGroupName(name: string): boolean {
  return nameProblem(name) === null;
}

/** True when `name` is acceptable as a new named server (the default server's name is `""`). */
export function isValidServerName(name: string): boolean {
  return name.length <= 30 && SERVER_NAME.test(name);
}
