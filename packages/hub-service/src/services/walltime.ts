import type { ResolvedConfig } from '../config/types';
import type { Logger } from '../observability/logger';
import type { Clock } from '../lib/clock';
import { HubError } from '../errors';
import { SpawnError } from '../spawners/spawner';
import type { Backends } from '../spawners/backends';
import type { ServerRecord, Store } from '../store/store';

/** A server's time limit as recorded in its handle (`end`, set by batch backends), or null. */
export function serverEnd(server: Pick<ServerRecord, 'handle'>): Date | null {
  const end = server.handle?.['end'];
  if (typeof end !== 'string') return null;
  const date = new Date(end);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Extensions already granted to this start. */
function extensionsOf(server: ServerRecord): number {
  const n = server.handle?.['extensions'];
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** `14:05 UTC`. */
function clockTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}

/** The start of every walltime notice; a message that starts so is not repeated. */
export const WALLTIME_NOTICE_PREFIX = 'Walltime:';

/**
 * Batch jobs' time limits (docs/slurm.md): a notice in the server's message `noticeMinutes`
 * before the end (the Lab and the home page show it), and the extension a backend allows
 * (`walltime.extensionMinutes`, at most `walltime.maxExtensions` per start), recorded in the handle.
 */
export class WalltimeService {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      readonly store: Store;
      readonly backends: Backends;
      readonly config: Pick<ResolvedConfig, 'backends'>;
      readonly clock: Clock;
      readonly logger: Logger;
    },
  ) {}

  /** The walltime settings of a server's backend; null for servers of backends without time limits. */
  private settingsOf(server: ServerRecord): ResolvedConfig['backends'][string]['walltime'] | null {
    return server.backend ? (this.deps.config.backends[server.backend]?.walltime ?? null) : null;
  }

  /**
   * Extends a running server's time limit once more. Throws HubError: `server_not_running`,
   * `walltime_extension_unavailable` (the backend allows none, or none is left, or the scheduler refused).
   */
  async extend(server: ServerRecord): Promise<{ endsAt: Date; extensionsLeft: number }> {
    if (server.state !== 'running' || !server.handle) throw new HubError('server_not_running', 'The server is not running.');
    const settings = this.settingsOf(server);
    const spawner = this.deps.backends.forServer(server)?.spawner;
    if (!settings || settings.extensionMinutes === 0 || !spawner?.extend) {
      throw new HubError('walltime_extension_unavailable', "This server's backend does not offer walltime extensions.");
    }
    const done = extensionsOf(server);
    if (done >= settings.maxExtensions) {
      throw new HubError('walltime_extension_unavailable', `This server was already extended ${done} time${done === 1 ? '' : 's'}, the most its backend allows.`);
    }
    let endsAt: Date;
    try {
      endsAt = await spawner.extend(server.handle, settings.extensionMinutes);
    } catch (err) {
      if (err instanceof SpawnError) throw new HubError('walltime_extension_unavailable', err.message);
      throw err;
    }
    await this.deps.store.servers.update(server.id, { handle: { ...server.handle, end: endsAt.toISOString(), extensions: done + 1 }, message: null });
    this.deps.logger.info({ server: server.id, endsAt: endsAt.toISOString() }, 'walltime extended');
    return { endsAt, extensionsLeft: settings.maxExtensions - done - 1 };
  }

  /** Sets the notice on every running server whose time limit ends within its backend's `noticeMinutes`. */
  async notify(): Promise<number> {
    const now = this.deps.clock();
    let told = 0;
    for (const server of await this.deps.store.servers.listActive()) {
      const settings = this.settingsOf(server);
      const end = serverEnd(server);
      if (server.state !== 'running' || !settings || settings.noticeMinutes === 0 || !end) continue;
      const minutes = Math.max(0, Math.round((end.getTime() - now) / 60_000));
      if (end.getTime() - now > settings.noticeMinutes * 60_000 || server.message?.startsWith(WALLTIME_NOTICE_PREFIX)) continue;
      const left = settings.maxExtensions - extensionsOf(server);
      const offer = settings.extensionMinutes > 0 && left > 0 ? ` You can extend it by ${settings.extensionMinutes} minutes.` : '';
      const message = `${WALLTIME_NOTICE_PREFIX} this server's job ends at ${clockTime(end)} (in about ${minutes} minute${minutes === 1 ? '' : 's'}); save your work.${offer}`;
      await this.deps.store.servers.update(server.id, { message });
      told += 1;
    }
    return told;
  }

  /** Checks for notices every `intervalSeconds`. */
  start(intervalSeconds = 30): void {
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void this.notify()
          .catch((err: unknown) => this.deps.logger.warn({ err: String(err) }, 'walltime notices failed'))
          .finally(tick);
      }, intervalSeconds * 1000);
      this.timer.unref();
    };
    tick();
  }

  /** Stops the notices. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
