/**
 * Asks a running server whether a kernel is busy (docs/culler.md): `GET <server>/api/kernels`
 * straight at the server's address (not through the proxy, and with `no_track_activity` so that
 * the question itself is no activity), with a short-lived token the hub mints for the owner with
 * only `access:servers` on that server, deleted after the answer.
 */
import { serverPrefix } from '@clusterhub/shared';
import type { Clock } from '../lib/clock';
import { newToken, sha256Hex } from '../lib/secrets';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { kernelsVerdict, type KernelsVerdict } from './kernel-activity';

/** Collaborators of {@link KernelProbe}. */
export interface KernelProbeDeps {
  readonly store: Pick<Store, 'tokens'>;
  /** The hub's base URL (`hub.baseUrl`), for the server's path. */
  readonly baseUrl: string;
  readonly clock: Clock;
  /** How long to wait for the answer (default 10 s). */
  readonly timeoutMs?: number;
}

/** See the module comment. */
export class KernelProbe {
  /** @param deps token store, base URL, clock and timeout. */
  constructor(private readonly deps: KernelProbeDeps) {}

  /** Whether a kernel of `server` is busy; `unknown` when the server does not answer with a kernel list. */
  async verdict(user: UserRecord, server: ServerRecord): Promise<KernelsVerdict> {
    if (server.state !== 'running' || server.target === null) return 'unknown';
    const timeoutMs = this.deps.timeoutMs ?? 10_000;
    const token = newToken();
    const record = await this.deps.store.tokens.create({
      kind: 'api',
      userId: user.id,
      serviceName: null,
      prefix: token.slice(0, 4),
      hash: sha256Hex(token),
      scopes: [`access:servers!server=${user.name}/${server.name}`],
      note: 'clusterhub culler: are kernels busy?',
      expiresAt: new Date(this.deps.clock() + timeoutMs + 60_000),
      sessionId: null,
      oauthClientId: 'jupyterhub',
      serverId: null,
    });
    try {
      const url = `${server.target}${serverPrefix(user.name, server.name, this.deps.baseUrl)}api/kernels?no_track_activity=1`;
      const res = await fetch(url, { headers: { authorization: `token ${token}` }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return 'unknown';
      return kernelsVerdict(await res.json());
    } catch {
      return 'unknown';
    } finally {
      await this.deps.store.tokens.delete(record.id);
    }
  }
}
