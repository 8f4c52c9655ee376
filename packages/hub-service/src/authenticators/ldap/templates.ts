/**
 * Putting a user name into a DN template or a search filter without letting it change the DN or
 * widen the filter: DN values escaped per RFC 4514, filter values per RFC 4515 (ldapts' escape).
 */
import { Filter } from 'ldapts';

/** Characters RFC 4514 requires escaped anywhere in an attribute value (and NUL). */
const DN_SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=', '\0']);

/** `\XX` for each UTF-8 byte of `ch`. */
function hexEscape(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * `value` escaped as an RFC 4514 attribute value: the special characters, a leading `#` or space
 * and a trailing space become `\XX`, so the value stays one value of one RDN.
 */
export function escapeDnValue(value: string): string {
  const chars = [...value];
  return chars
    .map((ch, i) => {
      if (DN_SPECIAL.has(ch)) return hexEscape(ch);
      if (i === 0 && (ch === '#' || ch === ' ')) return hexEscape(ch);
      if (i === chars.length - 1 && ch === ' ') return hexEscape(ch);
      return ch;
    })
    .join('');
}

/** `value` escaped for use inside an RFC 4515 filter (`*`, `(`, `)`, `\`, NUL become `\XX`). */
export function escapeFilterValue(value: string): string {
  return Filter.escape(value);
}

/** `template` with each `{name}` of `values` replaced by `escape(value)`; other text is left as written. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>, escape: (value: string) => string): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (Object.hasOwn(values, key) ? escape(values[key] ?? '') : whole));
}
