/**
 * Login form checked against an LDAP directory (`auth.ldap`) with `ldapts`: the user's DN from a
 * template or found by a service account (search-then-bind), a bind as that DN with the password,
 * then the user's groups read from the directory. The OIDC access rules decide who gets in and who
 * is an admin. A wrong password and an unknown user are the same failure (no user enumeration);
 * a directory that cannot be reached is told apart ("login service unavailable") and logged.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { isValidUserName } from '@clusterhub/shared';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import type { ResolvedLdapConfig } from '../../config/types';
import type { AuthOutcome, Authenticator } from '../authenticator';
import { MAX_PASSWORD_LENGTH } from '../local/password';
import { decideAccess } from '../oidc/access';
import { escapeDnValue, escapeFilterValue, fillTemplate } from './templates';

/** Options of {@link LdapAuthenticator}. */
export interface LdapAuthenticatorOptions {
  readonly config: ResolvedLdapConfig;
}

/** Shown when the directory cannot answer (down, TLS failure, service account refused). */
export const LDAP_UNAVAILABLE_MESSAGE = 'The login service is unavailable right now, so nobody can sign in. Try again later, or tell your administrator.';

/** A failure the person may not tell apart from a wrong password. */
const BAD_CREDENTIALS = { ok: false, reason: 'wrong password or unknown user' } as const;

/** Why a step against the directory failed, for the log. */
function describe(step: string, err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  const text = err instanceof Error ? err.message : String(err);
  return `directory unavailable at ${step}: ${text}${code === undefined || text.includes(String(code)) ? '' : ` (${String(code)})`}`;
}

/** The string values of `attribute` in a search entry (binary values are left out). */
function stringValues(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/** The LDAP authenticator. */
export class LdapAuthenticator implements Authenticator {
  /** This adapter's kind in config. */
  readonly kind = 'ldap';

  private readonly config: ResolvedLdapConfig;
  private readonly tls: ConnectionOptions;

  /** @throws Error naming `auth.ldap.caFile` when the CA file cannot be read. */
  constructor(options: LdapAuthenticatorOptions) {
    this.config = options.config;
    let ca: string | undefined;
    if (options.config.caFile !== null) {
      try {
        ca = readFileSync(options.config.caFile, 'utf8');
      } catch (err) {
        throw new Error(`auth.ldap.caFile: cannot read ${options.config.caFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    }
    this.tls = { minVersion: 'TLSv1.2', ...(ca === undefined ? {} : { ca }) };
  }

  /** Checks credentials against the directory; see {@link Authenticator.authenticate}. */
  async authenticate(credentials: { username: string; password: string; remoteAddress: string }): Promise<AuthOutcome> {
    const name = credentials.username.trim().toLowerCase();
    const { password } = credentials;
    // An empty password would be an unauthenticated bind, which directories accept: never send one.
    if (!isValidUserName(name) || password === '' || password.length > MAX_PASSWORD_LENGTH) {
      return { ok: false, reason: 'malformed user name or password' };
    }
    const ms = Math.round(this.config.timeoutSeconds * 1000);
    // ldapts speaks TLS from the start whenever TLS options are given: only for ldaps:// (StartTLS gets them later).
    const secure = this.config.url.startsWith('ldaps://');
    const client = new Client({ url: this.config.url, timeout: ms, connectTimeout: ms, ...(secure ? { tlsOptions: this.tls } : {}) });
    try {
      return await this.check(client, name, password);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  /** The steps of one login on one connection. */
  private async check(client: Client, name: string, password: string): Promise<AuthOutcome> {
    const cfg = this.config;
    const unavailable = (step: string, err: unknown): AuthOutcome => ({
      ok: false,
      reason: describe(step, err),
      message: LDAP_UNAVAILABLE_MESSAGE,
      unavailable: true,
    });
    if (cfg.startTls) {
      try {
        await client.startTLS(this.tls);
      } catch (err) {
        return unavailable('StartTLS', err);
      }
    }
    let dn: string;
    if (cfg.userSearch === null) {
      dn = fillTemplate(cfg.userDnTemplate ?? '', { username: name }, escapeDnValue);
    } else {
      const search = cfg.userSearch;
      let entries: Entry[];
      try {
        await client.bind(search.bindDn, search.bindPassword);
        const filter = fillTemplate(search.filter, { username: name }, escapeFilterValue);
        entries = (await client.search(search.baseDn, { scope: 'sub', filter, attributes: ['1.1'] })).searchEntries;
      } catch (err) {
        return unavailable('user search', err);
      }
      const found = entries[0];
      if (entries.length !== 1 || found === undefined) {
        return { ...BAD_CREDENTIALS, reason: entries.length === 0 ? 'unknown user' : `user name matches ${entries.length} entries` };
      }
      dn = found.dn;
    }
    try {
      await client.bind(dn, password);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return BAD_CREDENTIALS;
      return unavailable('user bind', err);
    }
    let groups: string[];
    try {
      groups = await this.groupsOf(client, name, dn);
    } catch (err) {
      return unavailable('group search', err);
    }
    const decision = decideAccess(cfg, name, groups);
    if (!decision.allowed) return { ok: false, reason: decision.reason, message: decision.message };
    return {
      ok: true,
      username: name,
      ...(cfg.manageGroups && cfg.groupSearch !== null ? { groups } : {}),
      ...(decision.admin === undefined ? {} : { admin: decision.admin }),
    };
  }

  /** The user's groups (as the service account with search-then-bind, else as the user just bound). */
  private async groupsOf(client: Client, name: string, dn: string): Promise<string[]> {
    const groups = this.config.groupSearch;
    if (groups === null) return [];
    const search = this.config.userSearch;
    if (search !== null) await client.bind(search.bindDn, search.bindPassword);
    const filter = fillTemplate(groups.filter, { username: name, dn }, escapeFilterValue);
    const { searchEntries } = await client.search(groups.baseDn, { scope: 'sub', filter, attributes: [groups.nameAttribute] });
    const names = searchEntries.flatMap((entry) => stringValues(entry, groups.nameAttribute));
    return [...new Set(names)].sort();
  }
}
