/** Reading the user name and groups out of ID-token or userinfo claims (dotted paths reach nested claims). */

/** Claims as the provider sent them (JSON). */
export type Claims = Readonly<Record<string, unknown>>;

/**
 * The value at a dotted path (`realm_access.roles`). A claim whose own name holds the whole path
 * (`"https://example.org/groups"`, `"cognito:groups"`) wins over a nested lookup.
 */
export function claimAt(claims: Claims, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path];
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const record = current as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(record, part)) return undefined;
    current = record[part];
  }
  return current;
}

/** The user name at `path`: a non-empty string (numbers as text), or null. */
export function usernameClaim(claims: Claims, path: string): string | null {
  const value = claimAt(claims, path);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value.trim();
}

/**
 * The groups at `path`: a list of strings (others ignored), or one string as a one-item list;
 * missing means no groups. Duplicates removed, order kept.
 */
export function groupsClaim(claims: Claims, path: string): string[] {
  const value = claimAt(claims, path);
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const names = list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '');
  return [...new Set(names)];
}
