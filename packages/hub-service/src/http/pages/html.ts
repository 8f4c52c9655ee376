/**
 * Safe HTML building: `escapeHtml`, the `html` tagged template (escapes every interpolation unless
 * it is already {@link SafeHtml}, e.g. from `raw()` or a nested `html`), and URL helpers for attributes.
 */

/** A string that is known to be safe HTML; only `html` and `raw` create it. */
export class SafeHtml {
  /** @param value HTML text that is emitted unchanged. */
  constructor(readonly value: string) {}

  /** The HTML text. */
  toString(): string {
    return this.value;
  }
}

/** What may be interpolated into `html`: text is escaped, SafeHtml kept, arrays joined, nullish/false dropped. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes `& < > " ' \`` so the text is safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** Marks trusted HTML so `html` does not escape it. Never pass user input. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`; nested `html` and `raw()` pass through. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Percent-encodes one URL path segment the JupyterHub way (`@` and `~` kept). */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%40/g, '@');
}

/**
 * A URL that is safe in `href`/`action`: relative paths, `http:` and `https:` are returned as-is,
 * anything else (`javascript:`, `data:`, protocol-relative `//host`) becomes `#`.
 */
export function safeUrl(url: string): string {
  const trimmed = url.trim();
  if (/^(https?:)?\/\//i.test(trimmed)) return /^https?:\/\//i.test(trimmed) ? trimmed : '#';
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return '#';
  if (trimmed.includes('\\') || [...trimmed].some((c) => c.charCodeAt(0) < 0x20)) return '#';
  return trimmed;
}

/** Formats an ISO-8601 timestamp as `YYYY-MM-DD HH:MM UTC` inside a `<time>` element; `fallback` when null/invalid. */
export function formatTime(iso: string | null | undefined, fallback = 'never'): SafeHtml {
  if (iso === null || iso === undefined || iso === '') return html`<span class="muted">${fallback}</span>`;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(date.getTime())) return html`${iso}`;
  const text = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}">${text}</time>`;
}
