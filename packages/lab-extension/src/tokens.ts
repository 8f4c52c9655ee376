/**
 * The tokens this extension provides to other plugins, each paired with its interface.
 */
import { Token } from '@lumino/coreutils';
import type { IHubBudgets, IHubCulling, IHubIdentity, IHubProfile, IHubUser } from './client/hub-models';

/** Options every hub call accepts. */
export interface IHubCallOptions {
  /** Cancels the call; its promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A typed client for the hub REST API on the page's hub. Every method validates the answer and
 * throws a `HubClientError` subclass on failure (`HubRequestError` carries the hub's code and
 * message).
 */
export interface IHubClient {
  /** The identity of the caller's token (`GET /hub/api/user`). */
  getCurrentUser(options?: IHubCallOptions): Promise<IHubIdentity>;
  /** A user with their servers (`GET /hub/api/users/:name`). */
  getUser(name: string, options?: IHubCallOptions): Promise<IHubUser>;
  /** The profiles the caller may see, with `allowed` (`GET /hub/api/clusterhub/profiles`). */
  listProfiles(options?: IHubCallOptions): Promise<IHubProfile[]>;
  /** The culler's warning and last action for a server (`GET /hub/api/clusterhub/users/:name/server/culling`). */
  getCulling(user: string, server: string, options?: IHubCallOptions): Promise<IHubCulling>;
  /** Keeps a server (`POST …/keep-alive`: takes an idle warning back); answers its culling model afterwards. */
  keepAlive(user: string, server: string, options?: IHubCallOptions): Promise<IHubCulling>;
  /** The user's compute-unit budgets this period (`GET /hub/api/clusterhub/budgets/:name`, scope `read:budgets`). */
  getBudgets(user: string, options?: IHubCallOptions): Promise<IHubBudgets>;
}

/** The hub client service. */
export const IHubClient = new Token<IHubClient>(
  '@clusterhub/lab-extension:IHubClient',
  'A typed client for the clusterhub REST API (user, servers, profiles, culling, budgets) on the hub that serves this JupyterLab.',
);
