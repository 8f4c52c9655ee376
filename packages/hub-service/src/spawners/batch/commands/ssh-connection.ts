/**
 * One login node's SSH connection: opened on first use with our own `net.Socket` (Nagle off), the
 * host key checked against the pinned fingerprints, kept alive, reused for every command (several
 * at once, up to the server's session limit), reopened by the next command after it drops, and not
 * retried before a growing backoff after a failed attempt.
 */
import { Socket } from 'node:net';
import { Client } from 'ssh2';
import type { SpawnerLogger } from '../../spawner-logger';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { execCommand, messageOf, NotStartedError } from './ssh-exec';
import { keyFingerprint, type LoginNode } from './ssh-settings';
import type { CommandResult } from './types';

/** What every connection of a runner shares. */
export interface ConnectionSettings {
  /** The operator account on the login nodes. */
  readonly user: string;
  /** The operator's private key (content). */
  readonly privateKey: string;
  /** Accepted host key fingerprints (`SHA256:…`); any other key is refused. */
  readonly pinnedKeys: ReadonlySet<string>;
  /** Limit for the TCP connect and the SSH handshake together. */
  readonly connectTimeoutMs: number;
  /** SSH keepalive interval; after 3 unanswered ones the connection counts as dropped. 0: none. */
  readonly keepaliveMs: number;
  /** Most commands run at once on one connection (OpenSSH's `MaxSessions`, 10 by default). */
  readonly maxSessions: number;
  readonly backoff: BackoffPolicy;
  readonly logger: SpawnerLogger;
}

/** Unanswered keepalives before a connection counts as dropped. */
const KEEPALIVE_COUNT_MAX = 3;
/** How long {@link LoginNodeConnection.close} waits for a polite end before destroying the socket. */
const CLOSE_GRACE_MS = 1_000;

/** A client and its socket, kept so {@link LoginNodeConnection.close} can end both. */
interface OpenClient {
  readonly client: Client;
  readonly sock: Socket;
}

/** The connection to one login node. */
export class LoginNodeConnection {
  private client: Client | null = null;
  private attempt: Promise<Client> | null = null;
  private failures = 0;
  private retryAt = 0;
  private lastError = '';
  private activeSessions = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly open = new Set<OpenClient>();
  private closed = false;

  constructor(
    readonly node: LoginNode,
    private readonly settings: ConnectionSettings,
  ) {}

  /** True while an SSH connection to this node is up. */
  get connected(): boolean {
    return this.client !== null;
  }

  /**
   * Runs one remote command line with `stdin` and waits for its exit status.
   *
   * @throws NotStartedError when the node cannot be reached or refuses the session (nothing ran).
   * @throws SchedulerUnreachableError when the connection drops while the command runs, or it
   *   outlives `timeoutMs` (its outcome is unknown; its channel is closed, but the remote program
   *   is not killed: ssh2 cannot signal a session whose input is closed).
   */
  async exec(commandLine: string, stdin: string, timeoutMs: number): Promise<CommandResult> {
    const client = await this.connect();
    await this.acquireSession();
    try {
      return await execCommand(client, this.node.label, commandLine, stdin, timeoutMs);
    } finally {
      this.releaseSession();
    }
  }

  /** Ends the connection (and any attempt under way); later commands are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.open].map(
        ({ client, sock }) =>
          new Promise<void>((resolve) => {
            if (sock.destroyed) {
              resolve();
              return;
            }
            const force = setTimeout(() => sock.destroy(), CLOSE_GRACE_MS);
            sock.once('close', () => {
              clearTimeout(force);
              resolve();
            });
            client.end();
            if (sock.connecting) sock.destroy();
          }),
      ),
    );
  }

  /** The ready client: the current one, the attempt under way, or a new attempt unless backing off. */
  private connect(): Promise<Client> {
    const label = this.node.label;
    if (this.closed) return Promise.reject(new NotStartedError(`${label}: the runner is closed`));
    if (this.client !== null) return Promise.resolve(this.client);
    if (this.attempt !== null) return this.attempt;
    const now = Date.now();
    if (now < this.retryAt) {
      const seconds = Math.ceil((this.retryAt - now) / 1000);
      return Promise.reject(new NotStartedError(`${label}: ${this.lastError} (next attempt in ${seconds} s)`));
    }
    this.attempt = this.openClient()
      .then(
        (client) => {
          this.failures = 0;
          this.retryAt = 0;
          return client;
        },
        (err: unknown) => {
          this.failures += 1;
          this.lastError = messageOf(err);
          this.retryAt = Date.now() + backoffDelay(this.settings.backoff, this.failures);
          this.settings.logger.warn({ host: label, failures: this.failures, error: this.lastError }, 'cannot connect to login node');
          throw new NotStartedError(`${label}: ${this.lastError}`);
        },
      )
      .finally(() => {
        this.attempt = null;
      });
    return this.attempt;
  }

  /** Opens a new SSH connection; resolves when it is ready, rejects with why it is not. */
  private openClient(): Promise<Client> {
    const { node, settings } = this;
    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      const sock = new Socket();
      sock.setNoDelay(true);
      const entry: OpenClient = { client, sock };
      this.open.add(entry);
      let refusal: string | null = null;
      let ready = false;
      client.on('ready', () => {
        ready = true;
        if (this.closed) {
          client.end();
          reject(new Error('the runner was closed while connecting'));
          return;
        }
        this.client = client;
        settings.logger.info({ host: node.label, user: settings.user }, 'connected to login node');
        resolve(client);
      });
      client.on('error', (err: Error) => {
        if (ready) settings.logger.warn({ host: node.label, error: err.message }, 'login node connection error');
        else reject(new Error(refusal ?? err.message));
      });
      client.on('close', () => {
        this.open.delete(entry);
        if (this.client === client) {
          this.client = null;
          if (!this.closed) settings.logger.warn({ host: node.label }, 'connection to login node lost; the next command reconnects');
        }
        if (!ready) reject(new Error(refusal ?? 'the connection closed during the SSH handshake'));
      });
      sock.connect(node.port, node.host);
      try {
        client.connect({
          sock,
          username: settings.user,
          privateKey: settings.privateKey,
          readyTimeout: settings.connectTimeoutMs,
          keepaliveInterval: settings.keepaliveMs,
          keepaliveCountMax: KEEPALIVE_COUNT_MAX,
          hostVerifier: (key: Buffer): boolean => {
            const fingerprint = keyFingerprint(key);
            if (settings.pinnedKeys.has(fingerprint)) return true;
            refusal =
              settings.pinnedKeys.size === 0
                ? `host key ${fingerprint} refused: no host key is pinned (ssh.hostKeys); pin the login node's key as ssh-keygen -lf prints it`
                : `host key ${fingerprint} is not one of the pinned keys (ssh.hostKeys); refusing to connect`;
            return false;
          },
        });
      } catch (err) {
        sock.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Waits for a free session slot on this connection. */
  private acquireSession(): Promise<void> {
    if (this.activeSessions < this.settings.maxSessions) {
      this.activeSessions += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(() => {
        this.activeSessions += 1;
        resolve();
      });
    });
  }

  /** Frees a session slot and hands it to the next waiting command. */
  private releaseSession(): void {
    this.activeSessions -= 1;
    this.waiting.shift()?.();
  }
}
