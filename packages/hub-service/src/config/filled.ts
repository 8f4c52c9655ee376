/** A value the schema gives a default for; its absence is a bug in the schema, not in the file. */
export function filled<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`internal error: the config schema has no default for ${key}`);
  return value;
}
