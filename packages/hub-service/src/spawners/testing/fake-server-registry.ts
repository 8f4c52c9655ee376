import type { Server } from 'node:http';
import type { SpawnRequest } from '../spawner';

/** One server the fake spawner started: a real HTTP server inside the test process. */
export interface FakeServer {
  /** Id stored in the handle. */
  readonly id: string;
  readonly request: SpawnRequest;
  readonly http: Server;
  readonly port: number;
  /** `poll` answers `unknown` for it (behaviour `unknown`). */
  readonly pollUnknown: string | null;
  /** Set once its server went away without a stop (behaviour `crash-after-start`, `crash()`). */
  crashed: boolean;
}

/** Closes an HTTP server now, dropping its open connections. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The servers of one or more {@link FakeSpawner}s. A test that simulates a hub restart gives the
 * old and the new spawner the same registry, as a real backend's servers outlive the hub.
 */
export class FakeServerRegistry {
  private readonly servers = new Map<string, FakeServer>();

  /** Records a started server. */
  add(server: FakeServer): void {
    this.servers.set(server.id, server);
  }

  /** The server with this id, if it was started and not stopped. */
  get(id: string): FakeServer | undefined {
    return this.servers.get(id);
  }

  /** Forgets a server (its HTTP server must be closed by the caller). */
  delete(id: string): void {
    this.servers.delete(id);
  }

  /** Servers started and not stopped, crashed ones included. */
  list(): readonly FakeServer[] {
    return [...this.servers.values()];
  }

  /** Servers whose HTTP server is still up. */
  live(): readonly FakeServer[] {
    return this.list().filter((server) => !server.crashed);
  }

  /** Closes and forgets every server. */
  async closeAll(): Promise<void> {
    const all = this.list();
    this.servers.clear();
    await Promise.all(all.map((server) => closeHttpServer(server.http)));
  }
}
