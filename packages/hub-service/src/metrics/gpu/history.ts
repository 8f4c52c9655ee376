/**
 * Recent GPU readings per server, in memory: a fixed-size ring per server (by default 30 minutes
 * at one reading every 5 s), so memory stays bounded however long a server runs.
 */
import type { GpuReading } from './sample';

/** A fixed-capacity ring: pushing onto a full ring drops the oldest entry. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private length = 0;

  /**
   * @param capacity the most entries kept (a positive integer).
   * @throws RangeError for any other capacity.
   */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  /** How many entries it holds. */
  get size(): number {
    return this.length;
  }

  /** Adds an entry, dropping the oldest when full. */
  push(item: T): void {
    const end = (this.start + this.length) % this.capacity;
    this.items[end] = item;
    if (this.length < this.capacity) this.length += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** The entries, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i += 1) {
      const item = this.items[(this.start + i) % this.capacity];
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  /** The newest entry, or undefined when empty. */
  last(): T | undefined {
    return this.length === 0 ? undefined : this.items[(this.start + this.length - 1) % this.capacity];
  }
}

/** Default window of {@link GpuHistory}: 30 minutes. */
export const DEFAULT_HISTORY_WINDOW_MS = 30 * 60 * 1000;

/** Default sampling interval the capacity is sized for: 5 s. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 5000;

/** Recent readings of each server, keyed by a server key chosen by the caller (e.g. `user/server`). */
export class GpuHistory {
  private readonly rings = new Map<string, RingBuffer<GpuReading>>();

  /** The most readings kept per server. */
  readonly capacity: number;

  /**
   * @param windowMs how far back readings are kept (default 30 minutes).
   * @param intervalMs the sampling interval (default 5 s); capacity is `ceil(windowMs / intervalMs)`.
   */
  constructor(
    readonly windowMs = DEFAULT_HISTORY_WINDOW_MS,
    intervalMs = DEFAULT_SAMPLE_INTERVAL_MS,
  ) {
    this.capacity = Math.max(1, Math.ceil(windowMs / intervalMs));
  }

  /** Records a reading of `server`. */
  record(server: string, reading: GpuReading): void {
    let ring = this.rings.get(server);
    if (!ring) {
      ring = new RingBuffer<GpuReading>(this.capacity);
      this.rings.set(server, ring);
    }
    ring.push(reading);
  }

  /** The readings of `server` no older than `windowMs` before `now`, oldest first (none if unknown). */
  readings(server: string, now?: number): GpuReading[] {
    const all = this.rings.get(server)?.toArray() ?? [];
    if (now === undefined) return all;
    return all.filter((reading) => now - reading.at <= this.windowMs);
  }

  /** The servers with readings. */
  servers(): string[] {
    return [...this.rings.keys()];
  }

  /** Forgets every server not in `keep` (stopped servers). */
  retain(keep: Iterable<string>): void {
    const wanted = new Set(keep);
    for (const server of [...this.rings.keys()]) if (!wanted.has(server)) this.rings.delete(server);
  }
}
