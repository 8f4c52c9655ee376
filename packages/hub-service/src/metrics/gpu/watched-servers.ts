/**
 * The running servers the GPU monitor hands its sources, read from the store in one query, so
 * servers a restarted hub re-adopted are watched too. Each source picks those it serves.
 */
import type { Store } from '../../store/store';
import type { GpuWatchedServer } from './source';

/** The key a server's readings are recorded under: `user/server` (user names cannot hold `/`). */
export function serverKey(user: string, server: string): string {
  return `${user}/${server}`;
}

/** The running servers of every backend. */
export async function runningServers(store: Pick<Store, 'servers'>): Promise<GpuWatchedServer[]> {
  const active = await store.servers.listActive();
  return active
    .filter((record) => record.state === 'running')
    .map((record) => ({
      key: serverKey(record.userName, record.name),
      user: record.userName,
      server: record.name,
      profile: record.profile,
      startedAt: record.started?.getTime() ?? null,
      record,
    }));
}
