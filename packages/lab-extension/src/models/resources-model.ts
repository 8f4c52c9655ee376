/**
 * The Resources panel's model: what the hub says about the server this JupyterLab runs in (its
 * profile, state and start time) and about its owner's budgets, refreshed by a poll that backs off on errors and stands by while
 * the panel is hidden. It owns the state and one `changed` signal; the React view only reads it.
 * Pure: no JupyterLab imports (the hub client arrives through the options).
 */
import { findProfile, type ProfileConfig, type ServerState } from '@clusterhub/shared';
import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal, type ISignal } from '@lumino/signaling';
import { HubNotClusterhubError, HubRequestError } from '../client/errors';
import type { IHubBudgets, IHubServer } from '../client/hub-models';
import type { IHubClient } from '../tokens';

/** Default time between two refreshes, in seconds. */
export const DEFAULT_REFRESH_INTERVAL_SECONDS = 30;

/** Longest wait between two refreshes while the hub keeps failing, in seconds. */
export const MAX_BACKOFF_SECONDS = 300;

/** What the hub said at the last successful refresh. */
export interface IResourcesSnapshot {
  /**
   * False when the hub's user model had no `servers` at all: the token may not read them
   * (it lacks `read:servers` for this user), so `server` is null for that reason.
   */
  readonly serversVisible: boolean;
  /** The server as the hub lists it, or null when the hub does not list it (or hides it, see `serversVisible`). */
  readonly server: IHubServer | null;
  /** The server's lifecycle state (`stopped` when the hub does not list it). */
  readonly lifecycle: ServerState;
  /** Slug of the profile the server was started with, or null when the hub did not say. */
  readonly profileSlug: string | null;
  /** That profile, or null when there is no slug or the hub no longer offers it. */
  readonly profile: ProfileConfig | null;
  /** What the hub's backend does not apply of that profile (e.g. no GPU reserved); empty when all is applied or unknown. */
  readonly notApplied: readonly string[];
  /**
   * The owner's budgets this period, or null when the hub did not give them (a token without
   * `read:budgets`, a hub without budgets API, a failed call: the rest of the panel still shows).
   */
  readonly budgets: IHubBudgets | null;
}

/** A profile as the hub lists it, with what its backend does not apply (clusterhub's `notApplied`). */
export type ProfileWithEnforcement = ProfileConfig & { readonly notApplied?: readonly string[] };

/**
 * The lifecycle state of a server model: its `lifecycle` when the hub sent one (clusterhub does),
 * else derived from JupyterHub's `ready` and `pending` flags.
 */
export function lifecycleOf(server: IHubServer): ServerState {
  if (server.lifecycle !== undefined) return server.lifecycle;
  if (server.ready) return 'running';
  if (server.pending === 'spawn') return 'pending-start';
  if (server.pending === 'stop') return 'pending-stop';
  return 'stopped';
}

/**
 * Builds a snapshot from the hub's answers; pure.
 *
 * @param servers The user model's `servers` (undefined when the hub left them out).
 * @param serverName The server this JupyterLab runs in (`''` for the default server).
 * @param profiles The profiles the hub offers.
 * @param budgets The owner's budgets, or null when the hub did not give them.
 */
export function makeSnapshot(
  servers: Readonly<Record<string, IHubServer>> | undefined,
  serverName: string,
  profiles: readonly ProfileWithEnforcement[],
  budgets: IHubBudgets | null = null,
): IResourcesSnapshot {
  const server = servers?.[serverName] ?? null;
  const slug = server?.profile ?? null;
  const profile = slug ? (findProfile(profiles, slug) as ProfileWithEnforcement | null) : null;
  return {
    serversVisible: servers !== undefined,
    server,
    lifecycle: server ? lifecycleOf(server) : 'stopped',
    profileSlug: slug,
    profile,
    notApplied: profile?.notApplied ?? [],
    budgets,
  };
}

/** True when a failed request shows that the hub is not clusterhub: its own endpoint is missing (404). */
export function isNotClusterhub(error: unknown): boolean {
  return error instanceof HubRequestError && error.status === 404;
}

/** Constructor options of {@link ResourcesModel}. */
export interface IResourcesModelOptions {
  /** The hub client. */
  client: Pick<IHubClient, 'getCurrentUser' | 'getUser' | 'listProfiles' | 'getBudgets'>;
  /** The server's owner (page config `hubServerUser`, else `hubUser`); `''` asks the hub who the caller is. */
  user: string;
  /** The server's name (page config `hubServerName`; `''` for the default server). */
  serverName: string;
  /** Time between two refreshes, in seconds (default {@link DEFAULT_REFRESH_INTERVAL_SECONDS}). */
  refreshIntervalSeconds?: number;
  /** True while polling should pause (the panel is hidden); default: never. */
  standby?: () => boolean;
}

/** The Resources panel's model. Construct it, then call {@link ResourcesModel.start}. */
export class ResourcesModel implements IDisposable {
  /** @param options See {@link IResourcesModelOptions}; nothing is fetched before `start()` or `refresh()`. */
  constructor(options: IResourcesModelOptions) {
    this._client = options.client;
    this._user = options.user;
    this._serverName = options.serverName;
    const interval = (options.refreshIntervalSeconds ?? DEFAULT_REFRESH_INTERVAL_SECONDS) * 1000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._load(),
      frequency: { interval, backoff: true, max: Math.max(interval, MAX_BACKOFF_SECONDS * 1000) },
      standby: options.standby ?? 'never',
      name: '@clusterhub/lab-extension:resources',
    });
  }

  /** Emitted after every change of `loading`, `snapshot` or `error`. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The server's owner, as the page config names it (may be `''` until the first refresh asks the hub). */
  get user(): string {
    return this._user;
  }

  /** The server's name (`''` for the default server). */
  get serverName(): string {
    return this._serverName;
  }

  /** True until the first refresh has finished (successfully or not). */
  get loading(): boolean {
    return this._loading;
  }

  /** What the hub said at the last successful refresh, or null before one. */
  get snapshot(): IResourcesSnapshot | null {
    return this._snapshot;
  }

  /**
   * True once the hub turned out not to be clusterhub (a plain JupyterHub): `error` is then a
   * {@link HubNotClusterhubError} and the model stops polling.
   */
  get notClusterhub(): boolean {
    return this._error instanceof HubNotClusterhubError;
  }

  /** The error of the last refresh, or null when it succeeded. Earlier data stays in `snapshot`. */
  get error(): Error | null {
    return this._error;
  }

  /** Whether the model has been disposed. */
  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Starts polling the hub (the first refresh happens at once). */
  start(): void {
    void this._poll.start();
  }

  /** Refreshes now, outside the poll's schedule. Never rejects: failures land in `error`. */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // Reported through `error` and `changed`.
    }
  }

  /** Changes the time between two refreshes (seconds, at least 1). */
  setRefreshIntervalSeconds(seconds: number): void {
    const interval = Math.max(1, seconds) * 1000;
    this._poll.frequency = { interval, backoff: true, max: Math.max(interval, MAX_BACKOFF_SECONDS * 1000) };
  }

  /** Stops polling, cancels a refresh in flight and disconnects every listener. */
  dispose(): void {
    if (this.isDisposed) return;
    this._abort?.abort();
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** One refresh; rejects on failure so that the poll backs off. The newest refresh wins. */
  private async _load(): Promise<void> {
    if (this.isDisposed) return;
    this._abort?.abort();
    const abort = (this._abort = new AbortController());
    const generation = ++this._generation;
    try {
      const signal = abort.signal;
      const user = this._user || (await this._client.getCurrentUser({ signal })).name;
      const [hubUser, profiles] = await Promise.all([
        this._client.getUser(user, { signal }),
        this._client.listProfiles({ signal }).catch((err: unknown) => {
          if (isNotClusterhub(err)) throw new HubNotClusterhubError(`The hub has no clusterhub endpoints: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }),
      ]);
      // After them (a plain JupyterHub is not asked), and secondary: without them (no read:budgets,
      // an older hub, a failure) the panel shows the rest.
      const budgets = await this._client.getBudgets(user, { signal }).catch(() => null);
      if (generation !== this._generation || this.isDisposed) return;
      this._user = user;
      this._snapshot = makeSnapshot(hubUser.servers, this._serverName, profiles, budgets);
      this._error = null;
    } catch (err) {
      if (generation !== this._generation || this.isDisposed) return;
      this._error = err instanceof Error ? err : new Error(String(err));
      if (this._error instanceof HubNotClusterhubError) {
        // Nothing will change by asking again: stay out of the way.
        void this._poll.stop();
        return;
      }
      throw this._error;
    } finally {
      if (generation === this._generation && !this.isDisposed) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  private readonly _client: Pick<IHubClient, 'getCurrentUser' | 'getUser' | 'listProfiles' | 'getBudgets'>;
  private _user: string;
  private readonly _serverName: string;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private _loading = true;
  private _snapshot: IResourcesSnapshot | null = null;
  private _error: Error | null = null;
  private _abort: AbortController | null = null;
  private _generation = 0;
}
