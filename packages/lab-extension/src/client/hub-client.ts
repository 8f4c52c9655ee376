/**
 * The hub REST client: one method per endpoint the panels use, each a thin call of
 * {@link hubRequest} with its path and guard. Pure: no JupyterLab imports.
 */
import { PROFILES_PATH, budgetsPath, cullingPath, keepAlivePath, userPath } from '@clusterhub/shared';
import type { IHubCallOptions, IHubClient } from '../tokens';
import { isHubBudgets, isHubCulling, isHubIdentity, isHubProfileList, isHubUser } from './guards';
import type { IHubBudgets, IHubCulling, IHubIdentity, IHubProfile, IHubUser } from './hub-models';
import { hubRequest, type IHubConnection } from './request';

/** The {@link IHubClient} implementation over one {@link IHubConnection}. */
export class HubClient implements IHubClient {
  /** @param connection Where the hub is and how to authenticate; read on every call. */
  constructor(connection: IHubConnection) {
    this._connection = connection;
  }

  /** @inheritdoc */
  getCurrentUser(options: IHubCallOptions = {}): Promise<IHubIdentity> {
    return hubRequest(this._connection, { path: '/user', validate: isHubIdentity, signal: options.signal });
  }

  /** @inheritdoc */
  getUser(name: string, options: IHubCallOptions = {}): Promise<IHubUser> {
    return hubRequest(this._connection, { path: userPath(name), validate: isHubUser, signal: options.signal });
  }

  /** @inheritdoc */
  listProfiles(options: IHubCallOptions = {}): Promise<IHubProfile[]> {
    return hubRequest(this._connection, { path: PROFILES_PATH, validate: isHubProfileList, signal: options.signal });
  }

  /** @inheritdoc */
  getCulling(user: string, server: string, options: IHubCallOptions = {}): Promise<IHubCulling> {
    return hubRequest(this._connection, { path: cullingPath(user, server), validate: isHubCulling, signal: options.signal });
  }

  /** @inheritdoc */
  keepAlive(user: string, server: string, options: IHubCallOptions = {}): Promise<IHubCulling> {
    return hubRequest(this._connection, { path: keepAlivePath(user, server), method: 'POST', validate: isHubCulling, signal: options.signal });
  }

  /** @inheritdoc */
  getBudgets(user: string, options: IHubCallOptions = {}): Promise<IHubBudgets> {
    return hubRequest(this._connection, { path: budgetsPath(user), validate: isHubBudgets, signal: options.signal });
  }

  private readonly _connection: IHubConnection;
}
