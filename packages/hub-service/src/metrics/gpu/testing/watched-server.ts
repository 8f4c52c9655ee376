/**
 * A running server as the GPU monitor hands it to a source ({@link GpuWatchedServer}), for the
 * sources' tests: a store record with neutral defaults, the backend's fields given by the test.
 */
import type { ServerRecord } from '../../../store/store';
import type { GpuWatchedServer } from '../source';

/** `user`'s server `server` (profile `a100`), its record built from `record` over running defaults. */
export function watchedServer(user: string, server: string, record: Partial<ServerRecord>, startedAt: number | null = null): GpuWatchedServer {
  const full: ServerRecord = {
    id: 1,
    userId: 1,
    name: server,
    displayName: '',
    state: 'running',
    profile: 'a100',
    userOptions: {},
    spawnerKind: null,
    backend: null,
    handle: null,
    target: null,
    started: new Date(),
    lastActivity: null,
    stopReason: null,
    message: null,
    created: new Date(),
    ...record,
  };
  return { key: `${user}/${server}`, user, server, profile: 'a100', startedAt, record: full };
}
