/**
 * Ports that starting servers report back to the hub (`POST /hub/api/batchspawner`, sent by
 * batchspawner's `batchspawner-singleuser` from inside a batch job once it picked a free port).
 * The backend that submitted the job waits here for its server's report; a report that arrives
 * before anyone waits is kept until the wait starts (or the start ends).
 */
export class PortReports {
  private readonly ports = new Map<number, number>();
  private readonly waiters = new Map<number, (port: number) => void>();
  private readonly open = new Set<number>();

  /** Opens the report slot of a server whose start begins; reports for servers not starting are refused. */
  expect(serverId: number): void {
    this.open.add(serverId);
  }

  /** Closes the slot when the start ended (ready, failed or cancelled). */
  forget(serverId: number): void {
    this.open.delete(serverId);
    this.ports.delete(serverId);
    this.waiters.delete(serverId);
  }

  /** Records a report; false when that server is not starting (nothing waits for it). */
  report(serverId: number, port: number): boolean {
    if (!this.open.has(serverId)) return false;
    const waiter = this.waiters.get(serverId);
    if (waiter) {
      this.waiters.delete(serverId);
      waiter(port);
    } else {
      this.ports.set(serverId, port);
    }
    return true;
  }

  /** Resolves with the server's reported port; rejects with the signal's reason when it aborts first. */
  wait(serverId: number, signal: AbortSignal): Promise<number> {
    const early = this.ports.get(serverId);
    if (early !== undefined) {
      this.ports.delete(serverId);
      return Promise.resolve(early);
    }
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters.delete(serverId);
        reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(serverId, (port) => {
        signal.removeEventListener('abort', onAbort);
        resolve(port);
      });
    });
  }
}
