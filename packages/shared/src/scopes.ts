/**
 * Role-based access control: the scope table as data and the pure rules around it (validation,
 * expansion of metascopes, implied scopes and bare filters, intersection of two scope sets, checks
 * against a resource). A scope is `base` or `base!kind=value` (`kind` ∈ user, server, group, service).
 * Browser-safe: no Node APIs (the Lab extension bundles it too).
 */

import { hasControlCharacter } from './names';

/** The resource a request touches; the filters of held scopes are matched against it. */
export interface ScopeResource {
  readonly user?: string;
  /** Server name; `""` = the default server. */
  readonly server?: string;
  readonly group?: string;
  readonly service?: string;
  /** Groups of `user`, so `!group=` filters match its members. */
  readonly userGroups?: readonly string[];
}

/** Who owns a set of scopes: fills the bare `!user`, `!server`, `!service` filters and `self`. */
export interface ScopeOwner {
  readonly user?: string;
  readonly server?: string;
  readonly service?: string;
}

/** The kinds of filter a scope may carry. */
export type ScopeFilterKind = 'user' | 'server' | 'group' | 'service';

/** A scope split into its base and optional filter (`value` undefined = a bare filter to fill in). */
export interface ParsedScope {
  readonly base: string;
  readonly kind?: ScopeFilterKind;
  readonly value?: string;
}

/** One row of {@link SCOPE_TABLE}. */
function row(description: string, ...implies: string[]): { readonly description: string; readonly implies: readonly string[] } {
  return Object.freeze({ description, implies: Object.freeze(implies) });
}

/** Scope table: base scope → description + directly implied scopes. */
export const SCOPE_TABLE: Readonly<Record<string, { readonly description: string; readonly implies: readonly string[] }>> = Object.freeze({
  'admin-ui': row('Use the admin page of the hub.'),
  'admin:users': row('Manage users, including their auth state.', 'admin:auth_state', 'users', 'read:roles:users', 'delete:users'),
  'admin:auth_state': row("Read a user's authentication state."),
  users: row('Read and change user models.', 'read:users', 'list:users', 'users:activity'),
  'delete:users': row('Delete users.'),
  'list:users': row('List users, with their names.', 'read:users:name'),
  'read:users': row('Read user models.', 'read:users:name', 'read:users:groups', 'read:users:activity', 'read:budgets'),
  'read:users:name': row('Read user names.'),
  'read:users:groups': row('Read the groups a user belongs to.'),
  'read:users:activity': row('Read the last activity of users.'),
  'users:activity': row('Report and read user activity.', 'read:users:activity'),
  'read:users:shares': row('Read the shares granted to users.'),
  'users:shares': row('Manage the shares granted to users.', 'read:users:shares'),
  'read:roles': row('Read role assignments of users, services and groups.', 'read:roles:users', 'read:roles:services', 'read:roles:groups'),
  'read:roles:users': row('Read the roles of users.'),
  'read:roles:services': row('Read the roles of services.'),
  'read:roles:groups': row('Read the roles of groups.'),
  'admin:servers': row('Manage servers, including their spawner state.', 'admin:server_state', 'servers'),
  'admin:server_state': row('Read and change the spawner state of servers.'),
  servers: row('Start, stop, create, delete and read servers.', 'read:servers', 'start:servers', 'delete:servers'),
  'read:servers': row('Read server models and spawn progress.', 'read:users:name'),
  'start:servers': row('Start servers.'),
  'delete:servers': row('Stop and delete servers.'),
  'access:servers': row('Open single-user servers in the browser or through their API.'),
  jobs: row("Submit, read and cancel a user's batch jobs (Slurm).", 'read:jobs'),
  'read:jobs': row("Read a user's batch jobs: their queue and recent jobs."),
  'read:budgets': row("Read a user's compute-unit budgets this period: their own and their groups', with what was spent."),
  tokens: row('Create, read and revoke API tokens.', 'read:tokens'),
  'read:tokens': row('Read API token models.'),
  'admin:groups': row('Create, read, change and delete groups.', 'groups', 'read:roles:groups', 'delete:groups'),
  groups: row('Read and change groups and their members.', 'read:groups', 'list:groups'),
  'list:groups': row('List groups, with their names.', 'read:groups:name'),
  'read:groups': row('Read group models.', 'read:groups:name'),
  'read:groups:name': row('Read group names.'),
  'delete:groups': row('Delete groups.'),
  'read:groups:shares': row('Read the shares granted to groups.'),
  'groups:shares': row('Manage the shares granted to groups.', 'read:groups:shares'),
  'admin:services': row('Read services and their roles.', 'list:services', 'read:services', 'read:roles:services'),
  'list:services': row('List services, with their names.', 'read:services:name'),
  'read:services': row('Read service models.', 'read:services:name'),
  'read:services:name': row('Read service names.'),
  'access:services': row('Open services in the browser or through their API.'),
  shares: row('Share servers and manage all shares.', 'access:servers', 'read:shares', 'users:shares', 'groups:shares'),
  'read:shares': row('Read the shares of servers.'),
  'read:hub': row('Read hub details (version, configuration summary).'),
  'read:metrics': row('Read the Prometheus metrics of the hub.'),
  proxy: row('Read and synchronise the proxy routing table.'),
  shutdown: row('Shut the hub down.'),
});

/** The scopes `self` stands for, each filtered by `!user=<owner>`. */
export const SELF_SCOPES: readonly string[] = Object.freeze(
  ['read:users', 'users:shares', 'read:shares', 'users:activity', 'servers', 'tokens', 'access:servers', 'jobs'],
);

/** Default role scopes (unexpanded): user → ['self'], admin → [...], server → [...], token → ['inherit']. */
export const DEFAULT_ROLES: Readonly<Record<'user' | 'admin' | 'server' | 'token', readonly string[]>> = Object.freeze({
  user: Object.freeze(['self']),
  // prettier-ignore
  admin: Object.freeze([
    'admin-ui', 'admin:users', 'admin:servers', 'admin:services', 'tokens', 'admin:groups', 'list:services', 'read:services',
    'read:hub', 'proxy', 'shutdown', 'access:services', 'access:servers', 'read:roles', 'read:metrics', 'shares', 'jobs',
  ]),
  server: Object.freeze(['users:activity!user', 'access:servers!server']),
  token: Object.freeze(['inherit']),
});

const METASCOPES: ReadonlySet<string> = new Set(['self', 'inherit']);
const FILTER_KINDS: ReadonlySet<string> = new Set(['user', 'server', 'group', 'service']);
/**
 * Filter values: any name (see names.ts: spaces, `!`, `=`, `:`, `+`, non-ASCII letters are fine)
 * but no `/` and no control characters; everything after the filter's first `=` is the value, as
 * in JupyterHub. A server filter is `user/server` (server may be empty).
 */
function isFilterValue(value: string, kind: ScopeFilterKind): boolean {
  if (hasControlCharacter(value)) return false;
  if (kind !== 'server') return /^[^/]+$/.test(value);
  return /^[^/]+\/[^/]*$/.test(value);
}

function isFilterKind(kind: string): kind is ScopeFilterKind {
  return FILTER_KINDS.has(kind);
}

/**
 * Splits `scope` into base and filter; `null` when the filter part is malformed (unknown kind, empty
 * or ill-formed value, a bare `!group`). The base is not checked against the table.
 */
export function parseScope(scope: string): ParsedScope | null {
  const bang = scope.indexOf('!');
  if (bang < 0) return scope.length > 0 ? { base: scope } : null;
  const base = scope.slice(0, bang);
  const filter = scope.slice(bang + 1);
  const eq = filter.indexOf('=');
  const kind = eq < 0 ? filter : filter.slice(0, eq);
  if (base.length === 0 || !isFilterKind(kind)) return null;
  if (eq < 0) return kind === 'group' ? null : { base, kind };
  const value = filter.slice(eq + 1);
  return isFilterValue(value, kind) ? { base, kind, value } : null;
}

/** The string form of a parsed scope (inverse of {@link parseScope}). */
export function formatScope(scope: ParsedScope): string {
  if (scope.kind === undefined) return scope.base;
  return scope.value === undefined ? `${scope.base}!${scope.kind}` : `${scope.base}!${scope.kind}=${scope.value}`;
}

/** Checks raw scope strings: known base (or metascope self/inherit), well-formed filter; 'all' rejected with a hint. */
export function validateScopes(scopes: readonly string[]): { ok: true } | { ok: false; invalid: string[]; message: string } {
  const invalid: string[] = [];
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    const valid =
      parsed !== null &&
      (METASCOPES.has(parsed.base) ? parsed.kind === undefined : Object.prototype.hasOwnProperty.call(SCOPE_TABLE, parsed.base));
    if (!valid) invalid.push(scope);
  }
  if (invalid.length === 0) return { ok: true };
  const hint = invalid.includes('all') ? " ('all' is not a scope: use 'inherit' for all of the owner's permissions)" : '';
  return { ok: false, invalid, message: `Unknown or malformed scope(s): ${invalid.join(', ')}${hint}` };
}

/** Fills a bare filter from `owner`; `null` when the owner cannot supply it. */
function fillFilter(scope: ParsedScope, owner: ScopeOwner | undefined): ParsedScope | null {
  if (scope.kind === undefined || scope.value !== undefined) return scope;
  switch (scope.kind) {
    case 'user':
      return owner?.user === undefined ? null : { ...scope, value: owner.user };
    case 'server':
      return owner?.user === undefined ? null : { ...scope, value: `${owner.user}/${owner.server ?? ''}` };
    case 'service':
      return owner?.service === undefined ? null : { ...scope, value: owner.service };
    default:
      return null;
  }
}

/** Adds `scope` and, transitively, the scopes it implies (same filter) to `out`. */
function addWithImplied(scope: ParsedScope, out: Set<string>): void {
  const pending: ParsedScope[] = [scope];
  const bound = Object.keys(SCOPE_TABLE).length + 1;
  for (let i = 0; i < pending.length && i < bound * bound; i++) {
    const current = pending[i] as ParsedScope;
    const text = formatScope(current);
    if (out.has(text)) continue;
    out.add(text);
    for (const child of SCOPE_TABLE[current.base]?.implies ?? []) {
      if (current.base === 'read:servers' && child === 'read:users:name' && current.kind === 'server') continue;
      pending.push({ ...current, base: child });
    }
  }
}

/**
 * Removes filtered scopes made redundant by a broader one on the same base: an unfiltered scope
 * absorbs every filtered copy, and `!user=u` absorbs `!server=u/*`.
 */
function reduce(scopes: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (parsed?.kind !== undefined && parsed.value !== undefined) {
      if (scopes.has(parsed.base)) continue;
      if (parsed.kind === 'server') {
        const user = parsed.value.slice(0, parsed.value.indexOf('/'));
        if (scopes.has(`${parsed.base}!user=${user}`)) continue;
      }
    }
    out.add(scope);
  }
  return out;
}

/**
 * Expands metascopes (`self` needs `owner.user`; `inherit` is returned as-is for the caller to
 * resolve), implied scopes transitively (children keep the filter, except `read:servers`' implied
 * `read:users:name` under a `!server` filter) and fills bare filters from `owner`. Scopes that are
 * malformed, unknown, or whose bare filter the owner cannot fill are dropped. Redundant filtered
 * copies are removed (an unfiltered scope absorbs them, `!user=u` absorbs `!server=u/…`).
 */
export function expandScopes(scopes: Iterable<string>, owner?: ScopeOwner): Set<string> {
  const out = new Set<string>();
  for (const raw of scopes) {
    if (raw === 'inherit') {
      out.add(raw);
      continue;
    }
    if (raw === 'self') {
      if (owner?.user === undefined) continue;
      for (const base of SELF_SCOPES) addWithImplied({ base, kind: 'user', value: owner.user }, out);
      continue;
    }
    const parsed = parseScope(raw);
    if (parsed === null || !Object.prototype.hasOwnProperty.call(SCOPE_TABLE, parsed.base)) continue;
    const filled = fillFilter(parsed, owner);
    if (filled !== null) addWithImplied(filled, out);
  }
  return reduce(out);
}

/** The user part of a `u/s` server filter value. */
function serverUser(value: string): string {
  return value.slice(0, value.indexOf('/'));
}

/** Intersection of two filters on the same base; `null` when they share nothing. */
function intersectFilters(
  a: ParsedScope,
  b: ParsedScope,
  userGroupsOf: ((user: string) => readonly string[]) | undefined,
): ParsedScope | null {
  if (a.kind === b.kind) return a.value === b.value ? a : null;
  const pair = (x: ParsedScope, y: ParsedScope): ParsedScope | null => {
    const xv = x.value ?? '';
    const yv = y.value ?? '';
    if (x.kind === 'user' && y.kind === 'server') return serverUser(yv) === xv ? y : null;
    if (x.kind === 'group' && y.kind === 'user') return userGroupsOf?.(yv).includes(xv) === true ? y : null;
    if (x.kind === 'group' && y.kind === 'server') return userGroupsOf?.(serverUser(yv)).includes(xv) === true ? y : null;
    return null;
  };
  return pair(a, b) ?? pair(b, a);
}

/** Groups a scope set by base: `null` entry = unfiltered, else the filtered variants. */
function byBase(scopes: ReadonlySet<string>): Map<string, ParsedScope[] | null> {
  const map = new Map<string, ParsedScope[] | null>();
  for (const scope of scopes) {
    const parsed = parseScope(scope);
    if (parsed === null) continue;
    const current = map.get(parsed.base);
    if (parsed.kind === undefined || current === null) map.set(parsed.base, null);
    else if (current === undefined) map.set(parsed.base, [parsed]);
    else current.push(parsed);
  }
  return map;
}

/**
 * Intersection of two EXPANDED sets with filter semantics: unfiltered ∩ filtered = filtered;
 * `!user=u` ∩ `!server=u/s` = `!server=u/s`; equal filters kept; `!group=g` ∩ `!user=u` (or
 * `!server=u/s`) kept as the user (server) filter only if `userGroupsOf(u)` includes `g` (without a
 * resolver neither is kept). The result is de-duplicated: an unfiltered scope absorbs its filtered copies.
 */
export function intersectScopes(
  a: ReadonlySet<string>,
  b: ReadonlySet<string>,
  userGroupsOf?: (user: string) => readonly string[],
): Set<string> {
  const left = byBase(a);
  const right = byBase(b);
  const out = new Set<string>();
  for (const [base, la] of left) {
    const lb = right.get(base);
    if (lb === undefined) continue;
    if (la === null && lb === null) out.add(base);
    else if (la === null || lb === null) for (const s of (la ?? lb) ?? []) out.add(formatScope(s));
    else
      for (const x of la)
        for (const y of lb) {
          const common = intersectFilters(x, y, userGroupsOf);
          if (common !== null) out.add(formatScope(common));
        }
  }
  return reduce(out);
}

/** Does one filtered scope match `resource`? */
function filterAllows(scope: ParsedScope, resource: ScopeResource): boolean {
  const value = scope.value;
  if (value === undefined) return false;
  switch (scope.kind) {
    case 'user':
      return resource.user === value;
    case 'server':
      return resource.user !== undefined && resource.server !== undefined && `${resource.user}/${resource.server}` === value;
    case 'group':
      return resource.group === value || (resource.userGroups?.includes(value) ?? false);
    case 'service':
      return resource.service === value;
    default:
      return false;
  }
}

/**
 * Does `held` (expanded) allow `needed` (a base scope) on `resource`? Unfiltered → yes; `!user=u`
 * → the resource's user is u (covers all of u's servers); `!server=u/s` → that exact server;
 * `!group=g` → the group g or a member of g; `!service=s` → service s. With no resource, only an
 * unfiltered scope allows.
 */
export function hasScope(held: ReadonlySet<string>, needed: string, resource?: ScopeResource): boolean {
  if (held.has(needed)) return true;
  if (resource === undefined) return false;
  for (const scope of held) {
    const parsed = parseScope(scope);
    if (parsed?.base === needed && filterAllows(parsed, resource)) return true;
  }
  return false;
}

/**
 * True when `held` (expanded) allows all that the one expanded scope `scope` allows: the same
 * scope, its base unfiltered, or a wider filter (`!user=u` covers `!server=u/s`; `!group=g`
 * covers `!user=u` and `!server=u/s` when `userGroupsOf(u)` includes g). Used to keep a token
 * from creating a token that can do more than itself.
 */
export function scopeCovered(held: ReadonlySet<string>, scope: string, userGroupsOf?: (user: string) => readonly string[]): boolean {
  if (held.has(scope)) return true;
  const parsed = parseScope(scope);
  if (!parsed || parsed.kind === undefined || parsed.value === undefined) return false;
  if (held.has(parsed.base)) return true;
  const value = parsed.value;
  switch (parsed.kind) {
    case 'user':
      return hasScope(held, parsed.base, { user: value, userGroups: userGroupsOf?.(value) });
    case 'server': {
      const slash = value.indexOf('/');
      if (slash < 0) return false;
      const user = value.slice(0, slash);
      return hasScope(held, parsed.base, { user, server: value.slice(slash + 1), userGroups: userGroupsOf?.(user) });
    }
    case 'group':
      return hasScope(held, parsed.base, { group: value });
    case 'service':
      return hasScope(held, parsed.base, { service: value });
    default:
      return false;
  }
}

/** True when `held` contains `needed` with ANY filter (403-vs-404 rule: held for some resource ⇒ 404 for others). */
export function holdsScopeBase(held: ReadonlySet<string>, needed: string): boolean {
  for (const scope of held) if (parseScope(scope)?.base === needed) return true;
  return false;
}

/** For list endpoints: 'all' when unfiltered; otherwise the users/servers (`u/s`)/groups/services the filters allow. */
export function scopeFilter(
  held: ReadonlySet<string>,
  needed: string,
): 'all' | { users: Set<string>; servers: Set<string>; groups: Set<string>; services: Set<string> } {
  if (held.has(needed)) return 'all';
  const result = { users: new Set<string>(), servers: new Set<string>(), groups: new Set<string>(), services: new Set<string>() };
  const target: Record<ScopeFilterKind, Set<string>> = {
    user: result.users,
    server: result.servers,
    group: result.groups,
    service: result.services,
  };
  for (const scope of held) {
    const parsed = parseScope(scope);
    if (parsed?.base === needed && parsed.kind !== undefined && parsed.value !== undefined) target[parsed.kind].add(parsed.value);
  }
  return result;
}

/** The access scopes a server requires of visitors (`JUPYTERHUB_OAUTH_ACCESS_SCOPES`). */
export function serverAccessScopes(user: string, server: string): string[] {
  return [`access:servers!server=${user}/${server}`, `access:servers!user=${user}`];
}

/** The identify scopes every OAuth token of `user` carries (§4.2 step 4). */
export function identifyScopes(user: string): string[] {
  return [`read:users:name!user=${user}`, `read:users:groups!user=${user}`];
}
