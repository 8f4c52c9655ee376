/**
 * Reading one cookie from a `document.cookie` string. Pure: the caller passes the string.
 */

/**
 * The value of cookie `name` in `cookieString` (`a=1; b=2`), percent-decoded when it is valid
 * percent-encoding, or null when the cookie is not there.
 */
export function readCookie(cookieString: string, name: string): string | null {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}
