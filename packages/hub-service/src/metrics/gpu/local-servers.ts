/**
 * The running local-process servers the GPU collector watches, read from the store: each server's
 * pid and process group come from its persisted spawner handle, so servers a restarted hub
 * re-adopted are watched too.
 */
import { parseLocalProcessHandle } from '../../spawners/local-process/handle';
import type { Store } from '../../store/store';
import type { WatchedServer } from './process-owner';

/** A watched local server with what the API and the metrics label it by. */
export interface WatchedLocalServer extends WatchedServer {
  /** The owner's name. */
  readonly user: string;
  /** The server's name (`""` for the default server). */
  readonly server: string;
  /** The profile it runs. */
  readonly profile: string | null;
  /** When it started, ms since the epoch; null when unknown. */
  readonly startedAt: number | null;
}

/** The key a server's readings are recorded under: `user/server` (user names cannot hold `/`). */
export function serverKey(user: string, server: string): string {
  return `${user}/${server}`;
}

/** The running servers of the local-process backend with a valid handle, from one store query. */
export async function runningLocalServers(store: Pick<Store, 'servers'>): Promise<WatchedLocalServer[]> {
  const active = await store.servers.listActive();
  const watched: WatchedLocalServer[] = [];
  for (const record of active) {
    if (record.state !== 'running' || record.spawnerKind !== 'local-process' || record.handle === null) continue;
    const handle = parseLocalProcessHandle(record.handle);
    if (!handle) continue;
    watched.push({
      key: serverKey(record.userName, record.name),
      pid: handle.pid,
      pgid: handle.pgid,
      user: record.userName,
      server: record.name,
      profile: record.profile,
      startedAt: record.started?.getTime() ?? null,
    });
  }
  return watched;
}
