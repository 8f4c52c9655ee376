import type { StoreChangeSignal } from '../store/store';

/** Most tokens kept; the oldest inserted are dropped first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * Token hash → what the store said about the token (for the identity service: the identity with its
 * token and owner rows), so a token read needs no store query.
 * Never stale: every entry was built from rows read after the store's change version was taken,
 * and the whole index is emptied as soon as that version moves (any write by this process, any
 * commit by another process on the same database, such as the `clusterhub` CLI). A revoked token
 * or a removed user therefore stops working on the next request. What depends on the time
 * (expiry, activity bumps) is not cached: callers check it on every hit. Unknown tokens are not
 * kept (a flood of bad tokens cannot grow it).
 */
export class TokenIndex<T> {
  private readonly entries = new Map<string, T>();
  private version = -1;

  /**
   * @param signal the store's change signal.
   * @param capacity most tokens kept (oldest inserted dropped first).
   */
  constructor(
    private readonly signal: StoreChangeSignal,
    private readonly capacity: number = DEFAULT_CAPACITY,
  ) {}

  /**
   * Takes the store's change version, emptying the index when it moved, and returns it: pass it to
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

  /** The entry kept for a token hash (call {@link sync} first). */
  get(hash: string): T | undefined {
    return this.entries.get(hash);
  }

  /** Keeps `entry` for `hash` unless the store changed since `version` was taken (then it may be stale). */
  put(hash: string, entry: T, version: number): void {
    if (version !== this.version || this.signal.version() !== version) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, entry);
  }

  /** Number of tokens kept. */
  get size(): number {
    return this.entries.size;
  }
}
