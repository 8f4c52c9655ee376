/**
 * A bounded map from SQL text to a prepared form (a better-sqlite3 statement, a translated
 * PostgreSQL string). When full, the entry used longest ago is dropped.
 */
export class StatementCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  /** Returns the cached value for `sql`, creating it with `make` when absent. */
  get(sql: string, make: (sql: string) => V): V {
    const hit = this.entries.get(sql);
    if (hit !== undefined) {
      this.entries.delete(sql);
      this.entries.set(sql, hit);
      return hit;
    }
    const value = make(sql);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(sql, value);
    return value;
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }
}
