/**
 * Watches what the hub's culler says about the server this JupyterLab runs in: a warning in force
 * (the server will be stopped, moved to a cheaper profile, or the user is told its GPU sits idle)
 * and the culler's last action on an earlier run ("Your GPU server was moved to CPU at 14:20 …"),
 * which the user sees once, at the next visit. Polls `GET …/server/culling`; `keepAlive()` posts
 * the keep-alive. Pure: no JupyterLab imports (the notifications are the plugin's).
 */
import type { CullLastActionModel, CullWarningModel } from '@clusterhub/shared';
import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal, type ISignal } from '@lumino/signaling';
import { HubRequestError } from '../client/errors';
import type { IHubCulling } from '../client/hub-models';
import type { IHubClient } from '../tokens';

/** Default time between two polls, in seconds: warnings come minutes before their action. */
export const DEFAULT_CULLING_INTERVAL_SECONDS = 30;

/** Longest wait between two polls while the hub keeps failing, in seconds. */
const MAX_BACKOFF_SECONDS = 300;

/** Where the model remembers the last actions already shown (the browser's `localStorage` fits). */
export interface ISeenStore {
  /** The stored value, or null. */
  getItem(key: string): string | null;
  /** Stores a value. */
  setItem(key: string, value: string): void;
}

/** Constructor options of {@link CullingModel}. */
export interface ICullingModelOptions {
  /** The hub client. */
  client: Pick<IHubClient, 'getCulling' | 'keepAlive'>;
  /** The server's owner. */
  user: string;
  /** The server's name (`''` for the default server). */
  serverName: string;
  /** Remembers which last actions were shown (default: nothing is remembered beyond this page). */
  seen?: ISeenStore;
  /** Time between two polls, in seconds (default {@link DEFAULT_CULLING_INTERVAL_SECONDS}). */
  intervalSeconds?: number;
}

/** Identity of a warning: a new one (another reason or time) is shown again. */
export function warningKey(warning: CullWarningModel | null): string | null {
  return warning === null ? null : `${warning.reason}@${warning.action_at}`;
}

/** The culling watch; construct it, connect to its signals, then call {@link CullingModel.start}. */
export class CullingModel implements IDisposable {
  /** @param options See {@link ICullingModelOptions}. */
  constructor(options: ICullingModelOptions) {
    this._client = options.client;
    this._user = options.user;
    this._serverName = options.serverName;
    this._seen = options.seen ?? null;
    const interval = (options.intervalSeconds ?? DEFAULT_CULLING_INTERVAL_SECONDS) * 1000;
    this._poll = new Poll({
      auto: false,
      factory: () => this._load(),
      frequency: { interval, backoff: true, max: Math.max(interval, MAX_BACKOFF_SECONDS * 1000) },
      standby: 'never',
      name: '@clusterhub/lab-extension:culling',
    });
  }

  /** Emitted when the warning in force changes (a new one, or none any more). */
  get warningChanged(): ISignal<this, CullWarningModel | null> {
    return this._warningChanged;
  }

  /** Emitted once per last action the user has not been shown yet. */
  get lastActionToShow(): ISignal<this, CullLastActionModel> {
    return this._lastActionToShow;
  }

  /** The warning in force at the last poll, or null. */
  get warning(): CullWarningModel | null {
    return this._warning;
  }

  /** True once the hub turned out to have no culling endpoint (a plain JupyterHub, or the culler off): polling stopped. */
  get unavailable(): boolean {
    return this._unavailable;
  }

  /** Whether the model has been disposed. */
  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Starts polling (the first poll at once). */
  start(): void {
    void this._poll.start();
  }

  /** Polls now, outside the schedule. Never rejects. */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // The poll backs off; the next one tries again.
    }
  }

  /** Keeps the server; resolves with the warning in force afterwards (null when it was taken back). Rejects with the hub's error. */
  async keepAlive(): Promise<CullWarningModel | null> {
    this._apply(await this._client.keepAlive(this._user, this._serverName));
    return this._warning;
  }

  /** Stops polling and disconnects every listener. */
  dispose(): void {
    if (this.isDisposed) return;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    if (this.isDisposed || this._unavailable) return;
    try {
      this._apply(await this._client.getCulling(this._user, this._serverName));
    } catch (err) {
      if (err instanceof HubRequestError && err.status === 404) {
        // No such endpoint, or no culler on this hub: nothing will change by asking again.
        this._unavailable = true;
        void this._poll.stop();
        return;
      }
      throw err;
    }
  }

  private _apply(culling: IHubCulling): void {
    if (this.isDisposed) return;
    if (warningKey(culling.warning) !== warningKey(this._warning)) {
      this._warning = culling.warning;
      this._warningChanged.emit(this._warning);
    } else {
      this._warning = culling.warning;
    }
    const last = culling.last_action;
    if (last && !this._wasShown(last)) {
      this._markShown(last);
      this._lastActionToShow.emit(last);
    }
  }

  private get _seenKey(): string {
    return `@clusterhub/lab-extension:culling-seen:${this._user}/${this._serverName}`;
  }

  private _wasShown(last: CullLastActionModel): boolean {
    return this._shownAt === last.at || this._seen?.getItem(this._seenKey) === last.at;
  }

  private _markShown(last: CullLastActionModel): void {
    this._shownAt = last.at;
    try {
      this._seen?.setItem(this._seenKey, last.at);
    } catch {
      // A full or blocked storage: shown again at the next visit, never lost.
    }
  }

  private readonly _client: Pick<IHubClient, 'getCulling' | 'keepAlive'>;
  private readonly _user: string;
  private readonly _serverName: string;
  private readonly _seen: ISeenStore | null;
  private readonly _poll: Poll;
  private readonly _warningChanged = new Signal<this, CullWarningModel | null>(this);
  private readonly _lastActionToShow = new Signal<this, CullLastActionModel>(this);
  private _warning: CullWarningModel | null = null;
  private _shownAt: string | null = null;
  private _unavailable = false;
}
