/**
 * Maps hub user names (which may hold capitals, `@`, `+`, `.`, spaces or non-ASCII letters) onto
 * Unix account names, which must match `^[a-z_][a-z0-9_-]*$` and be at most 32 characters. Pure.
 *
 * The mapping is injective: a name that passes through unchanged is already a valid account name;
 * every other name gets a suffix of its SHA-256 (48 bits), so `Alice` and `alice` never share an
 * account; and a hub name that already looks like such a result (ends in `-` or `_` and 12 hex
 * digits) is hashed too, so nobody can pick a name that lands on someone else's account.
 */
import { createHash } from 'node:crypto';

/** Longest Unix account name Linux tools accept. */
export const MAX_ACCOUNT_NAME = 32;
/** A valid account name (Debian's NAME_REGEX without the trailing `$` for machine accounts). */
const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]*$/;
/** Hex digits of the hash suffix added to names that had to be changed. */
const HASH_DIGITS = 12;
/** A hub name that ends like a mapped one; such names are mapped too, never passed through. */
const LOOKS_HASHED = new RegExp(`[-_][0-9a-f]{${HASH_DIGITS}}$`);

/** True when `name` is a valid Unix account name. */
export function isValidAccountName(name: string): boolean {
  return name.length <= MAX_ACCOUNT_NAME && ACCOUNT_NAME.test(name);
}

/**
 * The Unix account name of hub user `hubName` under `template` (which holds `{username}` once, e.g.
 * `{username}` or `jupyter-{username}`). A name that fits as it is stays as it is; otherwise it is
 * lowercased, every other character becomes `-`, it is shortened to fit, and `-<12 hex>` of its hash
 * is appended.
 *
 * @throws Error when the template has no `{username}`, or the result is still not a valid name
 *   (e.g. a template that starts with a digit).
 */
export function unixAccountName(template: string, hubName: string): string {
  const parts = template.split('{username}');
  if (parts.length !== 2) throw new Error(`the account name template ${JSON.stringify(template)} must hold {username} exactly once`);
  const [before = '', after = ''] = parts;
  const plain = `${before}${hubName}${after}`;
  if (isValidAccountName(plain) && !LOOKS_HASHED.test(hubName)) return plain;
  const hash = createHash('sha256').update(hubName, 'utf8').digest('hex').slice(0, HASH_DIGITS);
  // One character is kept free for a leading `_` when nothing before the name may start it.
  const room = MAX_ACCOUNT_NAME - before.length - after.length - HASH_DIGITS - 1 - (before === '' ? 1 : 0);
  const cleaned = hubName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, Math.max(0, room));
  const joined = `${before}${cleaned === '' ? '' : `${cleaned}-`}${hash}${after}`;
  const name = /^[a-z_]/.test(joined) ? joined : `_${joined}`;
  if (!isValidAccountName(name)) {
    throw new Error(`hub user ${JSON.stringify(hubName)} cannot be given a Unix account name with template ${JSON.stringify(template)}`);
  }
  return name;
}
