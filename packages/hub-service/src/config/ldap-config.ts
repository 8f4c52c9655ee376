/**
 * `auth.ldap`: the rules the JSON schema cannot express (one way to find the user, TLS unless
 * allowed otherwise, the service password's variable, a CA file that can be read, an allow rule),
 * each naming its key, and the resolved form the LDAP authenticator takes.
 */
import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { isValidUserName, type AuthConfig, type LdapConfig } from '@clusterhub/shared';
import { filled } from './filled';
import { envValue } from './semantic-checks';
import type { ResolvedLdapConfig } from './types';

function at(path: string, why: string): string {
  return `config error at ${path}: ${why}`;
}

/** Problems of `auth.ldap` (none when `auth.kind` is not ldap). `baseDir` resolves a relative `caFile`. */
export function ldapProblems(auth: AuthConfig, env: NodeJS.ProcessEnv, baseDir: string): string[] {
  if (auth.kind !== 'ldap') return [];
  const ldap = auth.ldap;
  if (ldap === undefined) return [at('auth.ldap', 'required when auth.kind is ldap')];
  const problems: string[] = [];
  if (ldap.url === undefined) problems.push(at('auth.ldap.url', 'required when auth.kind is ldap (ldaps://host, or ldap://host with startTls)'));
  const plain = ldap.url?.startsWith('ldap://') === true;
  if (plain && ldap.startTls !== true && ldap.allowInsecure !== true) {
    problems.push(at('auth.ldap.url', 'ldap:// sends passwords unencrypted: use ldaps://, set startTls: true, or set allowInsecure: true'));
  }
  if (ldap.url?.startsWith('ldaps://') === true && ldap.startTls === true) {
    problems.push(at('auth.ldap.startTls', 'not with ldaps:// (the connection is already TLS)'));
  }
  if (ldap.caFile !== undefined) {
    const file = resolve(baseDir, ldap.caFile);
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      problems.push(at('auth.ldap.caFile', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`));
    }
  }
  problems.push(...userLookupProblems(ldap, env));
  if (ldap.groupSearch !== undefined && ldap.groupSearch.baseDn === undefined) {
    problems.push(at('auth.ldap.groupSearch.baseDn', 'required with auth.ldap.groupSearch'));
  }
  const allowsSomebody =
    ldap.allowAll === true || (ldap.allowedUsers ?? []).length > 0 || (ldap.allowedGroups ?? []).length > 0 || (ldap.adminGroups ?? []).length > 0;
  if (!allowsSomebody) {
    problems.push(at('auth.ldap.allowedGroups', 'nobody could log in: set allowedGroups, allowedUsers, adminGroups or allowAll: true'));
  }
  const usesGroups = (ldap.allowedGroups ?? []).length > 0 || (ldap.adminGroups ?? []).length > 0;
  if (usesGroups && ldap.groupSearch === undefined) {
    problems.push(at('auth.ldap.groupSearch', 'required with allowedGroups or adminGroups (the groups are read from the directory)'));
  }
  (ldap.allowedUsers ?? []).forEach((name, i) => {
    if (!isValidUserName(name)) problems.push(at(`auth.ldap.allowedUsers[${i}]`, `${JSON.stringify(name)} is not a valid user name`));
  });
  return problems;
}

/** Exactly one way to find the user's DN, with its parts. */
function userLookupProblems(ldap: LdapConfig, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const template = ldap.userDnTemplate;
  const search = ldap.userSearch;
  if (template === undefined && search === undefined) {
    problems.push(at('auth.ldap.userDnTemplate', 'set userDnTemplate or userSearch (how the user is found in the directory)'));
  }
  if (template !== undefined && search !== undefined) problems.push(at('auth.ldap.userSearch', 'set userDnTemplate or userSearch, not both'));
  if (template !== undefined && !template.includes('{username}')) {
    problems.push(at('auth.ldap.userDnTemplate', 'must contain {username}'));
  }
  if (search !== undefined) {
    if (search.baseDn === undefined) problems.push(at('auth.ldap.userSearch.baseDn', 'required with auth.ldap.userSearch'));
    if (search.filter !== undefined && !search.filter.includes('{username}')) {
      problems.push(at('auth.ldap.userSearch.filter', 'must contain {username}'));
    }
    if (search.bindDn === undefined) problems.push(at('auth.ldap.userSearch.bindDn', 'required with auth.ldap.userSearch'));
    if (search.bindPasswordEnv === undefined) {
      problems.push(at('auth.ldap.userSearch.bindPasswordEnv', 'required with auth.ldap.userSearch'));
    } else if (envValue(env, search.bindPasswordEnv) === undefined) {
      problems.push(at('auth.ldap.userSearch.bindPasswordEnv', `the environment variable ${search.bindPasswordEnv} is not set`));
    }
  }
  return problems;
}

/** `auth.ldap` with its defaults, the service password read from its variable and `caFile` made absolute (checks ran before). */
export function resolveLdap(ldap: LdapConfig, env: NodeJS.ProcessEnv, baseDir: string): ResolvedLdapConfig {
  const search = ldap.userSearch;
  const groups = ldap.groupSearch;
  return {
    url: filled(ldap.url, 'auth.ldap.url'),
    startTls: filled(ldap.startTls, 'auth.ldap.startTls'),
    caFile: ldap.caFile === undefined ? null : resolve(baseDir, ldap.caFile),
    allowInsecure: filled(ldap.allowInsecure, 'auth.ldap.allowInsecure'),
    timeoutSeconds: filled(ldap.timeoutSeconds, 'auth.ldap.timeoutSeconds'),
    userDnTemplate: ldap.userDnTemplate ?? null,
    userSearch:
      search === undefined
        ? null
        : {
            baseDn: filled(search.baseDn, 'auth.ldap.userSearch.baseDn'),
            filter: filled(search.filter, 'auth.ldap.userSearch.filter'),
            bindDn: filled(search.bindDn, 'auth.ldap.userSearch.bindDn'),
            bindPassword: filled(envValue(env, search.bindPasswordEnv), 'auth.ldap.userSearch.bindPasswordEnv'),
          },
    groupSearch:
      groups === undefined
        ? null
        : {
            baseDn: filled(groups.baseDn, 'auth.ldap.groupSearch.baseDn'),
            filter: filled(groups.filter, 'auth.ldap.groupSearch.filter'),
            nameAttribute: filled(groups.nameAttribute, 'auth.ldap.groupSearch.nameAttribute'),
          },
    allowAll: filled(ldap.allowAll, 'auth.ldap.allowAll'),
    allowedUsers: filled(ldap.allowedUsers, 'auth.ldap.allowedUsers'),
    allowedGroups: filled(ldap.allowedGroups, 'auth.ldap.allowedGroups'),
    adminGroups: filled(ldap.adminGroups, 'auth.ldap.adminGroups'),
    manageGroups: filled(ldap.manageGroups, 'auth.ldap.manageGroups'),
  };
}
