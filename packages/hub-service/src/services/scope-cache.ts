/**
 * A bounded memo of expanded scope sets. Scope expansion and intersection (shared/scopes.ts) are pure
 * functions of their inputs, so a result cached under a key made of ALL the inputs (the raw scopes,
 * the owner's name and admin flag, the server name, the owner's groups) is always the result that
 * computing it again would give: a change to a user, token, group or role changes the key, and
 * nothing needs invalidating. It only saves the per-request expansion on the hot path (token reads).
 */

/** Most entries kept; the oldest inserted are dropped first. */
const DEFAULT_CAPACITY = 4096;

/** A bounded map from the inputs of a scope computation to its (read-only) result. */
export class ScopeCache {
  private readonly entries = new Map<string, ReadonlySet<string>>();

  /** @param capacity most entries kept (oldest dropped first). */
  constructor(private readonly capacity: number = DEFAULT_CAPACITY) {}

  /** The key of a computation from its inputs (every part that the result depends on); JSON, so unambiguous. */
  static key(parts: readonly (string | boolean | readonly string[])[]): string {
    return JSON.stringify(parts);
  }

  /** The cached result for `key`, computing and keeping it with `compute` when absent. */
  get(key: string, compute: () => Set<string>): ReadonlySet<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value: ReadonlySet<string> = compute();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }

  /** Number of cached results. */
  get size(): number {
    return this.entries.size;
  }
}
