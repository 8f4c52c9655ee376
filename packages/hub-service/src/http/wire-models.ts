import {
  isActive,
  isoTimestamp,
  progressPath,
  serverPrefix,
  wireFlags,
  apiRoot,
  hasScope,
  type GroupModel,
  type ServerModel,
  type ServiceModel,
  type TokenModel,
  type UserModel,
} from '@clusterhub/shared';
import type { GroupRecord, ServerRecord, TokenRecord, UserRecord } from '../store/store';
import type { Identity } from '../services/identity';
import type { ResolvedConfig } from '../config/types';
import { allows } from './auth-guard';
import { serverEnd } from '../services/walltime';

/** The wire model of a server (protocol.md §5.1) plus clusterhub's fields. */
export function toServerModel(user: UserRecord, server: ServerRecord, baseUrl: string, opts: { includeState: boolean }): ServerModel {
  const flags = wireFlags(server.state);
  const model: ServerModel = {
    name: server.name,
    display_name: server.displayName || server.name,
    full_name: `${user.name}/${server.name}`,
    ready: flags.ready,
    pending: flags.pending,
    stopped: flags.stopped,
    started: isoTimestamp(server.started),
    last_activity: isoTimestamp(server.lastActivity),
    url: serverPrefix(user.name, server.name, baseUrl),
    progress_url: `${apiRoot(baseUrl)}${progressPath(user.name, server.name)}`,
    full_url: null,
    full_progress_url: null,
    user_options: server.userOptions,
    profile: server.profile,
    lifecycle: server.state,
    stop_reason: server.stopReason,
    message: server.message,
    ends_at: isoTimestamp(serverEnd(server)),
  };
  if (opts.includeState) model.state = server.handle ?? {};
  return model;
}

/** `user_info` as JupyterHub sends it: the stored object, or null when the authenticator gave none. */
export function wireUserInfo(user: UserRecord): Record<string, unknown> | null {
  return Object.keys(user.userInfo).length ? user.userInfo : null;
}

/**
 * The wire model of a user, with only the keys the caller's scopes allow (protocol.md §5.1).
 * `servers` lists active servers unless `includeStopped`.
 */
export function toUserModel(
  viewer: Identity,
  user: UserRecord,
  data: { servers: readonly ServerRecord[]; groups: readonly string[] },
  opts: { baseUrl: string; includeStopped: boolean },
): UserModel {
  const resource = { user: user.name, userGroups: data.groups };
  const model: UserModel = { kind: 'user', name: user.name };
  const readUsers = allows(viewer, 'read:users', resource);
  const readRoles = readUsers || allows(viewer, 'read:roles:users', resource);
  if (readUsers || allows(viewer, 'read:users:name', resource)) {
    model.admin = user.admin;
    model.user_info = wireUserInfo(user);
  }
  if (readUsers || allows(viewer, 'read:users:groups', resource)) model.groups = [...data.groups];
  if (readRoles) {
    model.admin = user.admin;
    model.roles = user.admin ? ['admin', 'user'] : ['user'];
  }
  // As JupyterHub: whoever holds admin:auth_state sees the key; clusterhub keeps no auth state.
  if (allows(viewer, 'admin:auth_state', resource)) model.auth_state = null;
  if (readUsers || allows(viewer, 'read:users:activity', resource)) model.last_activity = isoTimestamp(user.lastActivity);
  const defaultServer = data.servers.find((s) => s.name === '');
  if (readUsers) {
    model.created = isoTimestamp(user.created) ?? undefined;
    model.server = defaultServer?.state === 'running' ? serverPrefix(user.name, '', opts.baseUrl) : null;
    model.pending = defaultServer ? wireFlags(defaultServer.state).pending : null;
  }
  const includeState = allows(viewer, 'admin:server_state', resource);
  const servers: Record<string, ServerModel> = {};
  let anyServerReadable = allows(viewer, 'read:servers', resource);
  for (const server of data.servers) {
    if (!opts.includeStopped && !isActive(server.state)) continue;
    if (!allows(viewer, 'read:servers', { ...resource, server: server.name })) continue;
    anyServerReadable = true;
    servers[server.name] = toServerModel(user, server, opts.baseUrl, { includeState });
  }
  if (anyServerReadable) model.servers = servers;
  return model;
}

/** A configured service as the API shows it. */
export type ServiceConfig = ResolvedConfig['services'][number];

/**
 * The wire model of a service with only the keys `viewer` may read (JupyterHub's access map:
 * `read:services` all keys; `read:services:name` kind, name, admin; `read:roles:services` adds roles).
 */
export function toServiceModel(viewer: { readonly scopes: ReadonlySet<string> }, service: ServiceConfig): ServiceModel {
  const resource = { service: service.name };
  const full = hasScope(viewer.scopes, 'read:services', resource);
  const model: ServiceModel = { kind: 'service', name: service.name };
  if (full || hasScope(viewer.scopes, 'read:services:name', resource) || hasScope(viewer.scopes, 'read:roles:services', resource)) model.admin = service.admin;
  if (full || hasScope(viewer.scopes, 'read:roles:services', resource)) model.roles = service.admin ? ['admin'] : [];
  if (full) Object.assign(model, { url: '', prefix: '', command: [], pid: 0, info: {}, display: false });
  return model;
}

/** The wire model of a token (never the secret). */
export function toTokenModel(token: TokenRecord, owner: { user?: string; service?: string }, scopes: readonly string[]): TokenModel {
  return {
    id: `a${token.id}`,
    kind: 'api_token',
    ...(owner.user !== undefined ? { user: owner.user } : {}),
    ...(owner.service !== undefined ? { service: owner.service } : {}),
    roles: [],
    scopes: [...scopes].sort(),
    created: isoTimestamp(token.created) ?? '',
    last_activity: isoTimestamp(token.lastActivity),
    expires_at: isoTimestamp(token.expiresAt),
    note: token.note,
    session_id: token.sessionId,
    oauth_client: token.oauthClientId ?? 'jupyterhub',
  };
}

/** The wire model of a group. */
export function toGroupModel(group: GroupRecord, users: readonly string[]): GroupModel {
  return { kind: 'group', name: group.name, users: [...users], properties: group.properties, roles: [] };
}
