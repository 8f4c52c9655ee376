import { Client } from 'pg';
import type { StoreChangeSignal } from '../store';
import type { StoreLogger } from '../sql/store-logger';
import { CHANGE_CHANNEL } from '../migrations/007-change-notify';

/** `application_name` of the listening connection (so operators and tests can tell it apart). */
export const LISTENER_APPLICATION_NAME = 'clusterhub-changes';

/** Options of {@link PostgresChangeSignal}. */
export interface PostgresChangeSignalOptions {
  /** The database's URL (the pool's). */
  readonly url: string;
  /** How long to wait for the listening connection (ms). */
  readonly connectTimeoutMs: number;
  /**
   * How often the listening connection is checked with `SELECT 1`, which must answer within the
   * same time, or the connection counts as lost (ms; default 5,000).
   */
  readonly heartbeatMs?: number;
  /** First wait before subscribing again after a lost connection; it doubles up to {@link maxRetryMs} (ms; default 100). */
  readonly firstRetryMs?: number;
  /** Longest wait between attempts to subscribe (ms; default 5,000). */
  readonly maxRetryMs?: number;
  /** True while the caller runs inside an open transaction of the driver (its reads may see uncommitted rows). */
  readonly inTransaction: () => boolean;
  readonly logger: StoreLogger;
}

/**
 * The PostgreSQL {@link StoreChangeSignal}: a local counter, read synchronously, that moves
 * - when a write of this process commits (the driver calls {@link bump} once the statement or the
 *   transaction has ended, before its caller hears of it);
 * - when a notification arrives on {@link CHANGE_CHANNEL}, which migration 007's statement-level
 *   triggers send from every write to every table, by any connection (another hub, the CLI, psql),
 *   and which PostgreSQL delivers after that write's commit;
 * - on every look while there is no subscribed listening connection (not yet connected, lost,
 *   re-subscribing) and while the caller is inside an open transaction: then nothing read can be
 *   cached.
 *
 * The listening connection (one `pg.Client` outside the pool) opens on the first look, so a store
 * whose signal is never read (the CLI) opens none. A lost connection (error, end, a heartbeat
 * without answer) moves the counter, and it is opened again with a growing delay; the counter moves
 * once more when `LISTEN` has succeeded, so nothing read while unsubscribed is ever kept.
 *
 * The remaining window: another process's commit is visible to this process's reads at once, but
 * its notification arrives a little later (normally well under a millisecond on one host); a
 * request answered from memory in between still sees the state before that commit.
 */
export class PostgresChangeSignal implements StoreChangeSignal {
  private counter = 0;
  private client: Client | null = null;
  private subscribed = false;
  private started = false;
  private closed = false;
  private heartbeatPending = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retryMs: number;
  private readonly heartbeatMs: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;

  /** @param options where to listen, and how often to check the connection. */
  constructor(private readonly options: PostgresChangeSignalOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.firstRetryMs = options.firstRetryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
    this.retryMs = this.firstRetryMs;
  }

  /** {@inheritDoc StoreChangeSignal.version} */
  version(): number {
    if (!this.started && !this.closed) {
      this.started = true;
      this.resubscribe();
    }
    if (!this.subscribed || this.options.inTransaction()) this.counter += 1;
    return this.counter;
  }

  /** Moves the version on: a write of this process has committed (or ended either way). */
  bump(): void {
    this.counter += 1;
  }

  /** Closes the listening connection; afterwards every look gives a new number. */
  async close(): Promise<void> {
    this.closed = true;
    this.subscribed = false;
    this.counter += 1;
    this.stopTimers();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  /** Starts {@link subscribe}; a failure it did not handle itself (e.g. a URL the client refuses) is logged, and nothing is cached. */
  private resubscribe(): void {
    this.subscribe().catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ err: message }, 'PostgreSQL change listener failed; nothing cached');
    });
  }

  private async subscribe(): Promise<void> {
    if (this.closed) return;
    const client = new Client({
      connectionString: this.options.url,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
      query_timeout: this.heartbeatMs,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (this.client === client && message.channel === CHANGE_CHANNEL) this.counter += 1;
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.client !== client) return;
    const again = this.retryMs !== this.firstRetryMs;
    this.subscribed = true;
    this.counter += 1;
    this.retryMs = this.firstRetryMs;
    this.heartbeat = setInterval(() => this.beat(client), this.heartbeatMs);
    this.heartbeat.unref();
    if (again) this.options.logger.info({ channel: CHANGE_CHANNEL }, 'listening for PostgreSQL changes again; in-memory caches back on');
  }

  private beat(client: Client): void {
    if (this.heartbeatPending) return;
    this.heartbeatPending = true;
    client.query('SELECT 1').then(
      () => {
        this.heartbeatPending = false;
      },
      (err: unknown) => {
        this.heartbeatPending = false;
        this.lost(client, err);
      },
    );
  }

  /** Forgets `client` (when it is the current one), moves the version and schedules a new subscription. */
  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    const wasSubscribed = this.subscribed;
    this.subscribed = false;
    this.counter += 1;
    this.stopTimers();
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (wasSubscribed || this.retryMs === this.firstRetryMs) {
      const message = err instanceof Error ? err.message : String(err);
      this.options.logger.warn({ err: message, retryMs: this.retryMs }, 'PostgreSQL change listener lost; nothing cached until it is back');
    }
    this.retry = setTimeout(() => {
      this.retry = null;
      this.resubscribe();
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
  }

  private stopTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    this.heartbeat = null;
    this.retry = null;
    this.heartbeatPending = false;
  }
}
