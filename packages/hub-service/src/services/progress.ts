import { EventEmitter } from 'node:events';

/** One event of the spawn progress stream (protocol.md §6), as sent on the wire. */
export interface ProgressWireEvent {
  progress?: number;
  message: string;
  html_message?: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
}

/**
 * The progress of one server's current (or last) start: events so far plus live listeners.
 * Kept in memory per server; a new start replaces it. A stream that connects late replays the events.
 */
export class ProgressLog {
  private readonly events: ProgressWireEvent[] = [];
  private readonly emitter = new EventEmitter();
  private finished = false;

  /** Appends an event and notifies listeners. Events after the final one are ignored. */
  push(event: ProgressWireEvent): void {
    if (this.finished) return;
    this.events.push(event);
    if (event.ready || event.failed) this.finished = true;
    this.emitter.emit('event', event);
  }

  /** True once a `ready` or `failed` event was pushed. */
  get done(): boolean {
    return this.finished;
  }

  /** True when the final event says failed. */
  get failed(): boolean {
    return this.events.at(-1)?.failed === true;
  }

  /** Events so far (copy). */
  snapshot(): ProgressWireEvent[] {
    return [...this.events];
  }

  /** Subscribes to new events; returns the unsubscribe function. */
  subscribe(listener: (event: ProgressWireEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
