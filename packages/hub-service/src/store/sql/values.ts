/**
 * Encoding of values to SQL parameters and decoding of raw column values, shared by both dialects.
 * SQLite returns timestamps as ISO text and JSON as text; PostgreSQL returns `Date` objects, parsed
 * JSON and `bigint` columns as strings. Decoders accept either shape.
 */

/** Encodes a timestamp as UTC ISO-8601 with milliseconds (sorts correctly as text in SQLite). */
export function encodeDate(value: Date): string {
  return value.toISOString();
}

/** Encodes an optional timestamp. */
export function encodeDateOrNull(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** Encodes a JSON value as text. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Decodes an integer column (a `bigint` arrives from PostgreSQL as a string). */
export function decodeInt(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw new TypeError(`expected an integer column, got ${describe(value)}`);
}

/** Decodes a nullable integer column. */
export function decodeIntOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : decodeInt(value);
}

/** Decodes a boolean column (SQLite stores 0/1). */
export function decodeBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw new TypeError(`expected a boolean column, got ${describe(value)}`);
}

/** Decodes a text column. */
export function decodeString(value: unknown): string {
  if (typeof value === 'string') return value;
  throw new TypeError(`expected a text column, got ${describe(value)}`);
}

/** Decodes a nullable text column. */
export function decodeStringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : decodeString(value);
}

/** Decodes a timestamp column (ISO text from SQLite, `Date` from PostgreSQL). */
export function decodeDate(value: unknown): Date {
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'string') {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new TypeError(`expected a timestamp column, got ${describe(value)}`);
}

/** Decodes a nullable timestamp column. */
export function decodeDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : decodeDate(value);
}

/** Decodes a JSON column into whatever it holds (text from SQLite, text or parsed from PostgreSQL). */
export function decodeJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

/** Decodes a JSON column that must hold an object. */
export function decodeJsonObject(value: unknown): Record<string, unknown> {
  const parsed = decodeJson(value);
  if (isPlainObject(parsed)) return parsed;
  throw new TypeError(`expected a JSON object column, got ${describe(parsed)}`);
}

/** Decodes a nullable JSON column that holds an object. */
export function decodeJsonObjectOrNull(value: unknown): Record<string, unknown> | null {
  return value === null || value === undefined ? null : decodeJsonObject(value);
}

/** Decodes a JSON column that must hold an array of strings. */
export function decodeStringArray(value: unknown): string[] {
  const parsed = decodeJson(value);
  if (Array.isArray(parsed) && parsed.every((item): item is string => typeof item === 'string')) return parsed;
  throw new TypeError(`expected a JSON string array column, got ${describe(parsed)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
