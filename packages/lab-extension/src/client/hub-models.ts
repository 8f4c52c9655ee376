/**
 * The parts of the hub's wire models that the Lab panels read, as the client returns them after
 * validation. They are subsets of the shared models (`ServerModel`, `UserModel`, `IdentityModel`):
 * only the fields checked by the guards in `guards.ts` appear, so the types never claim more than
 * was verified. clusterhub's own additions are optional, so a plain JupyterHub answer also passes.
 */
import type { BudgetStateModel, CullingModel, IdentityModel, ProfileModel, ServerModel, UserBudgetsModel, UserModel } from '@clusterhub/shared';

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

/** One budget (the user's own or a group's) with what was spent on it this period. */
export type IHubBudget = Pick<BudgetStateModel, 'kind' | 'name' | 'amount' | 'spent' | 'remaining'>;

/** A user's budgets this period, from `GET /hub/api/clusterhub/budgets/:name`. */
export interface IHubBudgets extends Pick<UserBudgetsModel, 'user' | 'period' | 'term' | 'period_start' | 'period_end' | 'spent'> {
  /** The user's own budget; null when none applies. */
  budget: IHubBudget | null;
  /** The budgets of the user's groups that have one. */
  groups: IHubBudget[];
  /** Between budget terms: why no term is open (the hub's words); else null. */
  gap: { message: string } | null;
}
