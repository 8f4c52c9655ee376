/**
 * Rules of `auth.oidc` the JSON schema cannot express: which endpoints each protocol needs, the
 * client secret's variable, and an allow rule that lets somebody in. Each line names the key.
 */
import { isValidUserName, type AuthConfig } from '@clusterhub/shared';
import { envValue } from './semantic-checks';

/** Authorization request parameters the hub sets itself; `extraAuthorizeParams` may not name them. */
export const OWN_AUTHORIZE_PARAMS: ReadonlySet<string> = new Set(['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method']);

function at(path: string, why: string): string {
  return `config error at ${path}: ${why}`;
}

/** Problems of `auth.oidc` (none when `auth.kind` is not oidc). */
export function oidcProblems(auth: AuthConfig, env: NodeJS.ProcessEnv): string[] {
  if (auth.kind !== 'oidc') return [];
  const oidc = auth.oidc;
  if (oidc === undefined) return [at('auth.oidc', 'required when auth.kind is oidc')];
  const problems: string[] = [];
  if (oidc.clientId === undefined) problems.push(at('auth.oidc.clientId', 'required when auth.kind is oidc'));
  const explicit = oidc.authorizationUrl !== undefined || oidc.tokenUrl !== undefined;
  if (explicit) {
    if (oidc.authorizationUrl === undefined) problems.push(at('auth.oidc.authorizationUrl', 'required with auth.oidc.tokenUrl'));
    if (oidc.tokenUrl === undefined) problems.push(at('auth.oidc.tokenUrl', 'required with auth.oidc.authorizationUrl'));
  }
  if ((oidc.protocol ?? 'oidc') === 'oauth2') {
    if (!explicit) problems.push(at('auth.oidc.authorizationUrl', 'required when auth.oidc.protocol is oauth2 (with tokenUrl and userinfoUrl)'));
    if (oidc.userinfoUrl === undefined) problems.push(at('auth.oidc.userinfoUrl', 'required when auth.oidc.protocol is oauth2'));
  } else {
    if (oidc.issuer === undefined) problems.push(at('auth.oidc.issuer', 'required when auth.oidc.protocol is oidc (the ID token names it)'));
    if (explicit && oidc.jwksUrl === undefined) problems.push(at('auth.oidc.jwksUrl', 'required with explicit endpoints when auth.oidc.protocol is oidc'));
  }
  if (oidc.clientSecret !== undefined && oidc.clientSecretEnv !== undefined) {
    problems.push(at('auth.oidc.clientSecret', 'set clientSecret or clientSecretEnv, not both'));
  }
  if (oidc.clientSecretEnv !== undefined && envValue(env, oidc.clientSecretEnv) === undefined) {
    problems.push(at('auth.oidc.clientSecretEnv', `the environment variable ${oidc.clientSecretEnv} is not set`));
  }
  if (oidc.callbackUrl !== undefined && !new URL(oidc.callbackUrl).pathname.endsWith('/hub/oauth_callback')) {
    problems.push(at('auth.oidc.callbackUrl', 'must end in hub/oauth_callback (the hub answers the provider there)'));
  }
  const allowsSomebody =
    oidc.allowAll === true || (oidc.allowedUsers ?? []).length > 0 || (oidc.allowedGroups ?? []).length > 0 || (oidc.adminGroups ?? []).length > 0;
  if (!allowsSomebody) {
    problems.push(at('auth.oidc.allowedGroups', 'nobody could log in: set allowedGroups, allowedUsers, adminGroups or allowAll: true'));
  }
  for (const key of Object.keys(oidc.extraAuthorizeParams ?? {})) {
    if (OWN_AUTHORIZE_PARAMS.has(key.toLowerCase())) {
      problems.push(at(`auth.oidc.extraAuthorizeParams.${key}`, `the hub sets ${key} itself (${key === 'scope' ? 'use auth.oidc.scopes' : 'it cannot be overridden'})`));
    }
  }
  (oidc.allowedUsers ?? []).forEach((name, i) => {
    if (!isValidUserName(name)) problems.push(at(`auth.oidc.allowedUsers[${i}]`, `${JSON.stringify(name)} is not a valid user name`));
  });
  return problems;
}
