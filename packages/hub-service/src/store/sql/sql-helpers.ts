import type { SqlDriver, SqlRow } from './driver';

/** What every repository is built from. */
export interface RepositoryContext {
  readonly db: SqlDriver;
  /** The clock for default timestamps (`created`, `updated`). */
  readonly now: () => Date;
}

/** Most values bound in one `IN (…)` list (well under both dialects' parameter limits). */
export const IN_LIST_CHUNK = 500;

/** `?, ?, ?` for `count` parameters. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** Splits `items` into slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** Removes duplicates, keeping the first occurrence. */
export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The first row of a statement that always returns one. */
export function first(rows: readonly SqlRow[]): SqlRow {
  const row = rows[0];
  if (!row) throw new Error('expected a row from the database, got none');
  return row;
}
