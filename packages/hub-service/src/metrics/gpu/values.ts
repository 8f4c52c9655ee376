/**
 * Reading single values as nvidia-smi prints them: numbers with or without a unit (`8977 MiB`,
 * `0 %`, `109.06 W`), the placeholders for "no value" (`[N/A]`, `N/A`, `[Not Supported]`, `-`), and
 * its two timestamp styles.
 */
import { MIB } from './sample';

/** The error every GPU output parser throws on text that does not have the expected shape. */
export class NvidiaSmiParseError extends Error {
  /** Creates the error; `message` says what was expected. */
  constructor(message: string) {
    super(message);
    this.name = 'NvidiaSmiParseError';
  }
}

/** Whether `text` is one of nvidia-smi's "no value" placeholders (or empty). */
export function isMissing(text: string): boolean {
  const value = text.trim();
  if (value === '' || value === '-' || value === 'N/A' || value === 'None') return true;
  // `[N/A]`, `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]`, …
  return /^\[[^\]]*\]$/.test(value);
}

/** Units a number may carry, and the factor to our unit (bytes for memory). */
const UNIT_FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  '%': 1,
  W: 1,
  MHz: 1,
  C: 1,
  KiB: 1024,
  MiB: MIB,
  GiB: 1024 * MIB,
  MB: MIB,
};

/**
 * The number in `text`, converted by its unit: memory units to bytes (`MiB` and `dmon`'s `MB` are
 * both binary), `%`, `W`, `MHz`, `C` unchanged; null for a placeholder.
 *
 * @param defaultUnit the unit of a bare number (`--format=csv,nounits`, or a unit taken from a
 *   column header such as `memory.used [MiB]`).
 * @throws NvidiaSmiParseError when the text is neither a number with a known unit nor a placeholder.
 */
export function parseQuantity(text: string, defaultUnit = ''): number | null {
  if (isMissing(text)) return null;
  const match = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z%]*)$/.exec(text.trim());
  const unit = match?.[2] === '' ? defaultUnit : match?.[2];
  const factor = unit === undefined ? undefined : UNIT_FACTORS[unit];
  if (!match?.[1] || factor === undefined) throw new NvidiaSmiParseError(`not a quantity: ${JSON.stringify(text)}`);
  return Number(match[1]) * factor;
}

/**
 * A non-negative integer (an index, a pid, a MIG instance id); null for a placeholder.
 *
 * @throws NvidiaSmiParseError on anything else.
 */
export function parseCount(text: string): number | null {
  if (isMissing(text)) return null;
  const value = text.trim();
  if (!/^\d+$/.test(value)) throw new NvidiaSmiParseError(`not a whole number: ${JSON.stringify(text)}`);
  return Number(value);
}

/** Text as printed, or null for a placeholder. */
export function parseText(text: string): string | null {
  return isMissing(text) ? null : text.trim();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An nvidia-smi timestamp in ms since the epoch: the CSV style `2026/11/30 15:14:08.373` or the XML
 * style `Mon Nov 30 15:14:14 2026`. nvidia-smi prints the node's local time without a zone; it is
 * read as UTC here, so differences between timestamps of one node are right, and a caller that
 * needs wall-clock time uses its own clock (the collector does). Null for a placeholder.
 *
 * @throws NvidiaSmiParseError on any other text.
 */
export function parseTimestamp(text: string): number | null {
  if (isMissing(text)) return null;
  const value = text.trim();
  const csv = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(value);
  if (csv) {
    const [, y, mo, d, h, mi, s, fraction = '0'] = csv;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0')));
  }
  const xml = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(value);
  const month = xml ? MONTHS.indexOf(xml[1] ?? '') : -1;
  if (xml && month >= 0) {
    return Date.UTC(Number(xml[6]), month, Number(xml[2]), Number(xml[3]), Number(xml[4]), Number(xml[5]));
  }
  throw new NvidiaSmiParseError(`not an nvidia-smi timestamp: ${JSON.stringify(text)}`);
}
