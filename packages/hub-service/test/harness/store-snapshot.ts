/**
 * A canonical text snapshot of a hub's persistent state, for "a rejected request changed nothing"
 * assertions: take one before and one after the request and compare. Test tooling.
 *
 * Left out on purpose, because reads and background loops change them legitimately:
 * `lastActivity` of users, servers and tokens (API use touches tokens and users; the proxy's
 * activity sweep touches servers and users). OAuth clients and codes are not listed: the Store
 * port has no way to enumerate them.
 */
import type { Store } from '../../src/store/store';

/** Everything a list can hold without limit in tests. */
const ALL = 1_000_000;

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

/** Options of {@link snapshotStore}. */
export interface SnapshotOptions {
  /** Service names whose tokens to include (services are not enumerable from the store). */
  readonly services?: readonly string[];
}

/**
 * Serializes users (with group memberships and local accounts), groups, servers and tokens (ids,
 * kinds, owners, scopes, notes, expiry; never `lastActivity`) into a stable JSON string.
 */
export async function snapshotStore(store: Store, opts: SnapshotOptions = {}): Promise<string> {
  const users = (await store.users.list({ offset: 0, limit: ALL, sort: 'id' })).items;
  const groups = (await store.groups.list({ offset: 0, limit: ALL })).items;
  const servers = await store.servers.listByUsers(users.map((u) => u.id));
  const userName = new Map(users.map((u) => [u.id, u.name]));

  const userRows = [];
  for (const u of users) {
    userRows.push({ id: u.id, name: u.name, admin: u.admin, created: iso(u.created), userInfo: u.userInfo, groups: await store.groups.groupNamesOf(u.id) });
  }
  const groupRows = [];
  for (const g of groups) groupRows.push({ id: g.id, name: g.name, properties: g.properties, members: await store.groups.memberNames(g.id) });
  const serverRows = servers.map((s) => ({
    id: s.id,
    user: userName.get(s.userId) ?? s.userId,
    name: s.name,
    displayName: s.displayName,
    state: s.state,
    profile: s.profile,
    userOptions: s.userOptions,
    spawnerKind: s.spawnerKind,
    backend: s.backend,
    handle: s.handle,
    target: s.target,
    started: iso(s.started),
    stopReason: s.stopReason,
    message: s.message,
    created: iso(s.created),
  }));
  const tokens = [];
  for (const u of users) tokens.push(...(await store.tokens.listForUser(u.id)));
  for (const service of opts.services ?? []) tokens.push(...(await store.tokens.listForService(service)));
  const tokenRows = tokens.map((t) => ({
    id: t.id,
    kind: t.kind,
    user: t.userId === null ? null : (userName.get(t.userId) ?? t.userId),
    service: t.serviceName,
    prefix: t.prefix,
    hash: t.hash,
    scopes: t.scopes,
    note: t.note,
    created: iso(t.created),
    expiresAt: iso(t.expiresAt),
    sessionId: t.sessionId,
    oauthClientId: t.oauthClientId,
    serverId: t.serverId,
  }));
  const accounts = [];
  for (const name of await store.accounts.listNames()) {
    const account = await store.accounts.get(name);
    accounts.push({ name, passwordHash: account?.passwordHash ?? null, updated: iso(account?.updated ?? null) });
  }
  return JSON.stringify({ users: userRows, groups: groupRows, servers: serverRows, tokens: tokenRows, accounts }, null, 1);
}
