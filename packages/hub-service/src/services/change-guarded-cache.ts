import type { StoreChangeSignal } from '../store/store';

/** Most entries kept; the oldest inserted are dropped first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * A bounded map of values read from the store (e.g. token hash → the identity resolved from the
 * token, owner and group rows) that is never stale: every entry was built from rows read after the
 * store's change version was taken, and the whole map is emptied as soon as that version moves
 * (any write by this process, any commit by another process on the same database, such as the
 * `clusterhub` CLI). A revoked token or a removed user is therefore seen on the next request. What
 * depends on the time (expiry, activity bumps) must not be cached: callers check it on every hit.
 * Misses are not kept, so unknown keys (bad tokens, absent names) cannot grow it.
 */
export class ChangeGuardedCache<T> {
  private readonly entries = new Map<string, T>();
  private version = -1;

  /**
   * @param signal the store's change signal.
   * @param capacity most entries kept (oldest inserted dropped first).
   */
  constructor(
    private readonly signal: StoreChangeSignal,
    private readonly capacity: number = DEFAULT_CAPACITY,
  ) {}

  /**
   * Takes the store's change version, emptying the map when it moved, and returns it: pass it to
   * {@link put} with an entry built from rows read after this call.
   */
  sync(): number {
    const current = this.signal.version();
    if (current !== this.version) {
      this.entries.clear();
      this.version = current;
    }
    return current;
  }

  /** The entry kept for `key` (call {@link sync} first). */
  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  /** Keeps `entry` for `key` unless the store changed since `version` was taken (then it may be stale). */
  put(key: string, entry: T, version: number): void {
    if (version !== this.version || this.signal.version() !== version) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }

  /**
   * The entry for `key`, or what `load` reads from the store (kept when not null). `load` must read
   * everything the entry holds from the store; a null result (nothing found) is not kept.
   */
  async through(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const version = this.sync();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const loaded = await load();
    if (loaded !== null) this.put(key, loaded, version);
    return loaded;
  }

  /** Number of entries kept. */
  get size(): number {
    return this.entries.size;
  }
}
