import { oauthClientScopes } from './server-credentials';
import { oauthClientId, profileEnvironment, serverAccessScopes, type ProfileConfig } from '@clusterhub/shared';

/** Inputs of {@link buildServerEnv}. */
export interface ServerEnvInput {
  readonly userName: string;
  readonly serverName: string;
  /** The server's own API token (also the OAuth client secret). */
  readonly apiToken: string;
  /** Deployment base URL, e.g. `/`. */
  readonly baseUrl: string;
  /** URL prefix of the server, e.g. `/user/alice/`. */
  readonly prefix: string;
  /** Hub URL reachable from the server, ending in `/hub/` (e.g. `http://127.0.0.1:8081/hub/`). */
  readonly hubUrl: string;
  readonly profile: ProfileConfig;
  /** Landing URL inside the server, e.g. `/lab`. */
  readonly defaultUrl: string;
}

/**
 * The environment the hub hands to a single-user server (protocol.md §2), without
 * `JUPYTERHUB_SERVICE_URL` (the spawner adds it once it knows the port) and without the admin's
 * `spawner.environment` (the spawner applies that last). Pure.
 */
export function buildServerEnv(input: ServerEnvInput): Record<string, string> {
  const access = JSON.stringify(serverAccessScopes(input.userName, input.serverName));
  const allowed = JSON.stringify(oauthClientScopes(input.userName, input.serverName));
  const apiUrl = `${input.hubUrl}api`;
  return {
    ...profileEnvironment(input.profile),
    JUPYTERHUB_API_TOKEN: input.apiToken,
    JPY_API_TOKEN: input.apiToken,
    JUPYTERHUB_CLIENT_ID: oauthClientId(input.userName, input.serverName),
    JUPYTERHUB_API_URL: apiUrl,
    JUPYTERHUB_ACTIVITY_URL: `${apiUrl}/users/${encodeURIComponent(input.userName)}/activity`,
    JUPYTERHUB_BASE_URL: input.baseUrl,
    JUPYTERHUB_SERVICE_PREFIX: input.prefix,
    JUPYTERHUB_OAUTH_CALLBACK_URL: `${input.prefix}oauth_callback`,
    JUPYTERHUB_OAUTH_ACCESS_SCOPES: access,
    JUPYTERHUB_OAUTH_SCOPES: access,
    JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: allowed,
    JUPYTERHUB_USER: input.userName,
    JUPYTERHUB_SERVER_NAME: input.serverName,
    JUPYTERHUB_HOST: '',
    JUPYTERHUB_PUBLIC_URL: '',
    JUPYTERHUB_PUBLIC_HUB_URL: '',
    JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED: '0',
    JUPYTERHUB_DEFAULT_URL: input.defaultUrl,
  };
}
