import type { ProfileCapacityModel, ProfileConfig, StopReason } from '@clusterhub/shared';

/** A backend's answer to `Spawner.capacity`: the profile model's fields but the backend's name. */
export type BackendCapacity = Omit<ProfileCapacityModel, 'backend'>;

/**
 * The Spawner port: a backend that runs single-user servers (a local process, a pod, a Slurm job).
 *
 * Backends own the mechanism only: start, poll, stop. The hub (services/server-lifecycle.ts) owns
 * timeouts, readiness checks (HTTP wait-up), retries, progress streaming, persistence of the handle
 * and the state machine. Implementations must keep no per-server state between calls: everything
 * needed to poll or stop a server lives in the JSON {@link SpawnHandle} the hub persists, so a
 * restarted hub can re-adopt running servers.
 *
 * Every adapter passes the contract suite in `spawners/spawner.contract.ts`.
 */
export interface Spawner {
  /** Backend kind, as chosen in config (`local-process`, …). */
  readonly kind: string;
  /**
   * Starts a server. Resolves once the backend has launched it (not when it answers HTTP: the hub
   * checks that) with the handle and the URL the server will listen on.
   *
   * Must: honour `ctx.signal` (abort ⇒ clean up anything launched and reject with an AbortError,
   * i.e. an Error whose `name` is `'AbortError'`, `cause` the signal's reason; nothing it launched may
   * outlive the rejection); report progress through `ctx.onProgress` at least once before resolving
   * (never with `ready`); reject with {@link SpawnError} (with a clear message) when the backend
   * refuses or fails.
   */
  start(request: SpawnRequest, ctx: SpawnContext): Promise<SpawnResult>;
  /**
   * Reports the state of a server from its handle. Must not throw for a server that is gone
   * (answer `stopped`); answers `unknown` when the backend cannot tell (scheduler or API
   * unreachable), which the hub never treats as stopped.
   */
  poll(handle: SpawnHandle): Promise<PollResult>;
  /**
   * Optional: polls many servers at once, one answer per handle in the same order. Backends whose
   * state comes from one query for all their servers (a batch scheduler's queue) implement it;
   * the hub's periodic poll then asks each backend once per cycle instead of once per server.
   */
  pollMany?(handles: readonly SpawnHandle[]): Promise<PollResult[]>;
  /**
   * Optional: checks a start's options before anything is recorded or launched, so a bad value is
   * a 400 naming the field rather than a failed start. Throws HubError (`invalid_user_option`).
   */
  checkStart?(request: Pick<SpawnRequest, 'profile' | 'userOptions'>): void;
  /**
   * Stops a server and waits until it is gone (or `timeoutSeconds` passed, then forces it).
   * Stopping a server that is already gone succeeds.
   */
  stop(handle: SpawnHandle, opts: { timeoutSeconds: number }): Promise<void>;
  /**
   * Optional: adds `minutes` to a running server's time limit (batch jobs) and resolves with the
   * new end; the hub records it in the handle (`end`). Throws SpawnError when it cannot.
   */
  extend?(handle: SpawnHandle, minutes: number): Promise<Date>;
  /**
   * Optional: what is free now for a profile's GPUs or MIG slices (Kubernetes: node allocatable
   * minus the requests of bound pods, from watches); null for a profile that asks for none. Never
   * throws: an unknown answer has `free: null` and a reason.
   */
  capacity?(profile: ProfileConfig): Promise<BackendCapacity | null>;
  /** Optional: release anything the backend holds (watchers, connections). */
  close?(): Promise<void>;
  /**
   * Optional: the last `maxLines` lines of a server's own output (its log), for its owner and
   * admins; `''` when there is none. Works while the server starts (`handle` still null) and after
   * it stopped. Backends without logs leave it out.
   */
  logTail?(server: ServerLogRef, maxLines: number): Promise<string>;
}

/** Which server's log {@link Spawner.logTail} reads. */
export interface ServerLogRef {
  /** The owner's hub user name. */
  readonly user: string;
  /** `""` for the default server. */
  readonly server: string;
  /** The persisted handle, when the backend has launched it. */
  readonly handle: SpawnHandle | null;
}

/** Backend-specific state that identifies a launched server, e.g. `{ pid, port, startTime }`. JSON only. */
export type SpawnHandle = Record<string, unknown>;

/** The typed, backend-neutral request the hub hands to a spawner. */
export interface SpawnRequest {
  /** The owner. */
  readonly user: { readonly id: number; readonly name: string; readonly groups: readonly string[] };
  /** The server: name `""` is the default server. */
  readonly server: { readonly id: number; readonly name: string };
  /** The profile the user chose (already checked for access). */
  readonly profile: ProfileConfig;
  /** The full `user_options` of this start. */
  readonly userOptions: Readonly<Record<string, unknown>>;
  /** URL prefix the server must serve under, e.g. `/user/alice/`. */
  readonly prefix: string;
  /**
   * The environment the hub computed (protocol.md §2), everything except `JUPYTERHUB_SERVICE_URL`,
   * which the spawner adds once it knows where the server will listen
   * (`http://<ip>:<port><prefix>`). Profile and admin `environment` are already applied.
   */
  readonly env: Readonly<Record<string, string>>;
}

/** Progress event a backend reports while starting (protocol.md §6). */
export interface ProgressEvent {
  /** 0–100; optional. */
  readonly progress?: number;
  readonly message: string;
  readonly htmlMessage?: string;
}

/** Per-start context from the hub. */
export interface SpawnContext {
  /** Aborted when the start times out or the server is stopped while starting. */
  readonly signal: AbortSignal;
  /** Reports progress to the user. */
  onProgress(event: ProgressEvent): void;
  /**
   * Persists a handle before the start finishes (a batch job id right after submission), so a
   * hub restart finds the job and a failed or cancelled start stops it: no ghost jobs. The hub
   * always provides it.
   */
  persistHandle?(handle: SpawnHandle): Promise<void>;
  /**
   * Resolves with the port the starting server reported (`POST /hub/api/batchspawner`, sent by
   * `batchspawner-singleuser`); rejects when the start is aborted. The hub always provides it.
   */
  waitForPortReport?(): Promise<number>;
  /**
   * Postpones the start timeout to `epochMs` (never earlier): a batch backend calls it while the
   * scheduler expects the job to start within its grace, so a job about to start is not cancelled.
   */
  extendDeadline?(epochMs: number): void;
}

/** What {@link Spawner.start} resolves to. */
export interface SpawnResult {
  /** Persisted by the hub; passed back to poll and stop. */
  readonly handle: SpawnHandle;
  /** `proto://host:port` without a path; the proxy's target and the base of the hub's wait-up check. */
  readonly target: string;
}

/** Result of a poll. */
export type PollResult =
  | { readonly status: 'running' }
  | { readonly status: 'pending'; readonly message?: string }
  | { readonly status: 'stopped'; readonly exitCode?: number | null; readonly message?: string; readonly stopReason?: StopReason }
  | { readonly status: 'unknown'; readonly message: string };

/** A start the backend refused or that failed; `message` is shown to the user. */
export class SpawnError extends Error {
  override readonly name = 'SpawnError';
}
