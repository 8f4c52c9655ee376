/**
 * The parts of the hub's wire models that the Lab panels read, as the client returns them after
 * validation. They are subsets of the shared models (`ServerModel`, `UserModel`, `IdentityModel`):
 * only the fields checked by the guards in `guards.ts` appear, so the types never claim more than
 * was verified. clusterhub's own additions are optional, so a plain JupyterHub answer also passes.
 */
import type { CullingModel, IdentityModel, ProfileModel, ServerModel, UserModel } from '@clusterhub/shared';

/** A user server, as listed in `user.servers`. */
export interface IHubServer
  extends Pick<ServerModel, 'name' | 'ready' | 'pending' | 'started' | 'last_activity' | 'url'>,
    Partial<Pick<ServerModel, 'profile' | 'lifecycle' | 'message'>> {
  /** Why the server last stopped (a `StopReason`), or null. Unknown reasons pass through. */
  stop_reason?: string | null;
}

/** A user, from `GET /hub/api/users/:name`. */
export interface IHubUser extends Pick<UserModel, 'kind' | 'name' | 'admin' | 'groups'> {
  /** The user's servers by name (`""` is the default server); absent without `read:servers`. */
  servers?: Record<string, IHubServer>;
}

/** The identity of the caller's token, from `GET /hub/api/user`. */
export interface IHubIdentity extends Pick<IdentityModel, 'kind' | 'name' | 'scopes' | 'admin' | 'groups'> {
  /** The user's servers, when the token may read them. */
  servers?: Record<string, IHubServer>;
}

/** A profile the hub offers, from `GET /hub/api/clusterhub/profiles`. */
export type IHubProfile = ProfileModel;

/** The culler's view of a server, from `GET /hub/api/clusterhub/users/:name/server/culling`. */
export type IHubCulling = CullingModel;
