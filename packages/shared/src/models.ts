/**
 * Wire models of the hub REST API (JupyterHub 6.1 shapes plus clusterhub's additions). Timestamps
 * are ISO-8601 strings in UTC with a `Z` suffix, or null.
 */
import type { ServerState, StopReason } from './server-state';
import type { ProfileConfig } from './generated/config';
import type { ProfileBatchModel } from './batch-models';

/** A server in `user.servers[...]` and `GET /users/:name/servers/:server`. */
export interface ServerModel {
  name: string;
  display_name: string;
  full_name: string;
  ready: boolean;
  pending: 'spawn' | 'stop' | null;
  stopped: boolean;
  started: string | null;
  last_activity: string | null;
  url: string;
  progress_url: string;
  full_url: string | null;
  full_progress_url: string | null;
  user_options: Record<string, unknown>;
  /** Spawner state (only with `admin:server_state`). */
  state?: Record<string, unknown>;
  /** clusterhub: slug of the profile the server was started with. */
  profile: string | null;
  /** clusterhub: lifecycle state. */
  lifecycle: ServerState;
  /** clusterhub: why it last stopped. */
  stop_reason: StopReason | null;
  /** clusterhub: last status or failure message. */
  message: string | null;
  /** clusterhub: when the server's batch job reaches its time limit (ISO-8601), or null. */
  ends_at: string | null;
}

/** A user (keys present depend on the caller's scopes; `kind` and `name` always). */
export interface UserModel {
  kind: 'user';
  name: string;
  admin?: boolean;
  /** JupyterHub 6: what the authenticator said about the user (name, display_name, avatar…); null when nothing. */
  user_info?: Record<string, unknown> | null;
  roles?: string[];
  groups?: string[];
  server?: string | null;
  pending?: 'spawn' | 'stop' | null;
  created?: string;
  last_activity?: string | null;
  servers?: Record<string, ServerModel>;
  auth_state?: Record<string, unknown> | null;
}

/** A service (keys present depend on the caller's scopes; `kind`, `name` and `admin` whenever it can be identified). */
export interface ServiceModel {
  kind: 'service';
  name: string;
  admin?: boolean;
  roles?: string[];
  url?: string;
  prefix?: string;
  command?: string[];
  pid?: number;
  info?: Record<string, unknown>;
  display?: boolean;
}

/** `GET /hub/api/user` with a service's token: the service model plus the token's identity keys (§4.4). */
export interface ServiceIdentityModel extends ServiceModel {
  scopes: string[];
  token_id: string | null;
  session_id: string | null;
}

/** A group. */
export interface GroupModel {
  kind: 'group';
  name: string;
  users: string[];
  properties: Record<string, unknown>;
  roles: string[];
}

/** A token as listed (never the secret). */
export interface TokenModel {
  id: string;
  kind: 'api_token';
  user?: string;
  service?: string;
  roles: string[];
  scopes: string[];
  created: string;
  last_activity: string | null;
  expires_at: string | null;
  note: string;
  session_id: string | null;
  oauth_client: string;
}

/** A token just created: the only time the secret is shown. */
export interface NewTokenModel extends TokenModel {
  token: string;
}

/** `GET /hub/api/user`: the identity model of a token (§4.4). */
export interface IdentityModel extends Omit<Partial<UserModel>, 'kind'> {
  kind: 'user' | 'service';
  name: string;
  scopes: string[];
  token_id: string | null;
  session_id: string | null;
}

/** The pagination envelope (only with `Accept: application/jupyterhub-pagination+json`). */
export interface PageEnvelope<T> {
  items: T[];
  _pagination: {
    offset: number;
    limit: number;
    total: number;
    next: null | { offset: number; limit: number; url: string };
  };
}

/** clusterhub: a profile as offered to a user (`GET /hub/api/clusterhub/profiles`). */
export interface ProfileModel extends ProfileConfig {
  /** Whether the calling user may start it. */
  allowed: boolean;
  /** Why not, when not allowed (e.g. "needs group cpsHPCAccess"). */
  reason?: string;
  /**
   * What this hub's backend does not apply of the profile's resources, one sentence each (e.g. the
   * local-process backend reserves no GPU); empty when it applies them all. See `resourceEnforcement`.
   */
  notApplied?: string[];
  /** A profile on a Slurm backend: free GPUs now and the user's choices (docs/batch-jobs.md). */
  batch?: ProfileBatchModel;
  /** A GPU or MIG profile on a Kubernetes backend: what is free for it now (docs/kubernetes.md). */
  capacity?: ProfileCapacityModel;
}

/** What is free for a GPU or MIG profile on a Kubernetes backend, as `profiles[].capacity`. */
export interface ProfileCapacityModel {
  /** The backend's name (its key in `backends`). */
  backend: string;
  /** The resource one server asks for (`nvidia.com/gpu`, `nvidia.com/mig-1g.5gb`). */
  resource: string;
  /** Units of it one server asks for. */
  perServer: number;
  /** Units free now on the nodes the profile may use; null when unknown (see `reason`). */
  free: number | null;
  /** Servers of this profile that could start now (each needs `perServer` on one node); null like `free`. */
  fits: number | null;
  /** The hub's servers waiting for this resource (pods not yet scheduled). */
  waiting: number;
  /** Why `free` is null (the API server cannot be reached, the hub may not read nodes). */
  reason?: string;
}

/** The Accept value that asks for a pagination envelope. */
export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';

/** Formats a Date as JupyterHub does: UTC ISO-8601 with a `Z` suffix; null stays null. */
export function isoTimestamp(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}
