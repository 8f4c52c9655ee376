import type { ServerState, StopReason } from '@clusterhub/shared';
import type { AuditRepository } from './audit-repository';
import type { BudgetAdjustmentRepository } from './budget-adjustment-repository';
import type { OidcSessionRepository } from './oidc-session-repository';

/**
 * The Store port: the hub's persistent state. Two adapters implement it with one query layer and
 * one numbered migrations folder: SQLite (better-sqlite3, the embedded default) and PostgreSQL (pg).
 * Every adapter passes the contract suite in `store/store.contract.ts`.
 *
 * Contract, for every method:
 * - Timestamps are `Date` in and out (stored as UTC with millisecond precision or better).
 * - JSON-valued fields (`userInfo`, `properties`, `userOptions`, `handle`, `scopes`) round-trip exactly.
 * - "get"/"find" methods return `null` for a missing row, never throw for it.
 * - A unique-constraint violation throws {@link StoreConflictError}; nothing else is written.
 * - Deleting a user deletes its servers, tokens, OAuth codes, group memberships and local account.
 */
export interface Store {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  readonly users: UserRepository;
  readonly groups: GroupRepository;
  readonly servers: ServerRepository;
  readonly tokens: TokenRepository;
  readonly oauth: OAuthRepository;
  readonly accounts: AccountRepository;
  /** The compute-unit ledger: one row per server session (docs/budgets.md). */
  readonly usage: UsageRepository;
  /** The audit log (docs/audit.md). */
  readonly audit: AuditRepository;
  /** Admin top-ups and limit overrides of budgets, per period (docs/budgets.md). */
  readonly budgets: BudgetAdjustmentRepository;
  /** Sign-ins at the OpenID provider kept for the periodic group refresh (docs/login.md); never exposed by an API. */
  readonly oidcSessions: OidcSessionRepository;
  /**
   * Runs `fn` in one transaction: all its writes land or none do. Calls on the store passed to
   * `fn` belong to the transaction; nested calls to `transaction` on it join the outer one.
   * Calls on this (outer) store made from inside `fn`'s async context join it too. A statement
   * that fails inside the transaction (e.g. a {@link StoreConflictError}) spoils it on every
   * dialect: later statements fail, and `transaction` rolls back and rejects with that error even
   * if `fn` caught it. Callers must not keep using the `tx` store after `fn` settles.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Closes connections. The store is unusable afterwards. */
  close(): Promise<void>;
  /**
   * A cheap signal that the stored data may have changed, for in-memory indexes that must never
   * serve stale rows (docs/performance.md). Null when the adapter has none; then nothing may be
   * cached. Both adapters have one:
   * - SQLite: this connection's writes as they run, and another connection's commit (another
   *   process: the CLI) at the next look (`PRAGMA data_version`): seen by the very next request.
   * - PostgreSQL: this process's writes once they have ended (before their callers hear of it);
   *   another connection's commit once its notification has arrived on the listening connection
   *   (migration 007's triggers; normally well under a millisecond after the commit on one host,
   *   and until then a cached entry may still show the state before that commit). While the
   *   listening connection is not subscribed (first look, lost, reconnecting) every look gives a
   *   new number, so nothing is cached; a connection that stops answering counts as lost after at
   *   most two heartbeats (10 s).
   */
  readonly changes: StoreChangeSignal | null;
}

/**
 * Tells whether anything may have been written since an earlier look: by this process or by another
 * one on the same database (the `clusterhub` CLI). Synchronous and cheap enough for every request.
 */
export interface StoreChangeSignal {
  /**
   * A number that grows after every committed write, this process's or another's. Read it BEFORE
   * reading the rows a cache entry is built from: while it still returns the same number, those
   * rows are unchanged. It may also grow without a change (a rolled-back write).
   */
  version(): number;
}

/** Thrown when a write would violate a uniqueness rule (user name, group name, server name per user…). */
export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
}

/** Thrown by `openStore` when the database was written by a newer clusterhub (higher migration number). */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    /** Highest migration recorded in the database. */
    readonly databaseVersion: number,
    /** Highest migration this build knows. */
    readonly codeVersion: number,
  ) {
    super(
      `The database schema is version ${databaseVersion}, newer than this clusterhub understands (${codeVersion}). ` +
        'Upgrade clusterhub, or restore a backup made before the upgrade.',
    );
  }
}

/** A hub user. */
export interface UserRecord {
  readonly id: number;
  readonly name: string;
  readonly admin: boolean;
  readonly created: Date;
  readonly lastActivity: Date | null;
  /** JupyterHub 6 `user_info` (display name, avatar…); `{}` when none. */
  readonly userInfo: Record<string, unknown>;
}

/** Filter of `GET /users?state=`: `ready` = has a running server, `active` = running or pending, `inactive` = neither. */
export type UserStateFilter = 'active' | 'ready' | 'inactive';

/** Sort keys of `GET /users?sort=` (a leading `-` means descending). */
export type UserSort = 'id' | 'name' | 'last_activity' | '-id' | '-name' | '-last_activity';

/** Users persistence. */
export interface UserRepository {
  /** Creates a user; throws {@link StoreConflictError} if the name exists. */
  create(input: { name: string; admin?: boolean; created?: Date; userInfo?: Record<string, unknown> }): Promise<UserRecord>;
  getById(id: number): Promise<UserRecord | null>;
  getByName(name: string): Promise<UserRecord | null>;
  /** Looks up many names at once; missing names are absent from the result. Sorted by id. */
  getByNames(names: readonly string[]): Promise<UserRecord[]>;
  /**
   * One page of users plus the total that matched (before offset/limit). `nameFilter` is a
   * case-insensitive substring (ASCII case folding at least; `%` and `_` match literally).
   * Default sort is `id`. Names sort byte-wise (UTF-8) on every dialect. For `last_activity`,
   * users without activity count as oldest (first ascending, last descending); ties go by id.
   */
  list(query: {
    offset: number;
    limit: number;
    state?: UserStateFilter;
    nameFilter?: string;
    sort?: UserSort;
  }): Promise<{ items: UserRecord[]; total: number }>;
  /** Updates fields; renaming to an existing name throws {@link StoreConflictError}. Returns the new row or null if missing. */
  update(id: number, patch: { name?: string; admin?: boolean; userInfo?: Record<string, unknown> }): Promise<UserRecord | null>;
  /** Sets `lastActivity = max(lastActivity, at)`. */
  touchActivity(id: number, at: Date): Promise<void>;
  /** Deletes the user and everything it owns (see {@link Store}). Returns false if missing. */
  delete(id: number): Promise<boolean>;
  count(): Promise<number>;
}

/** A group of users. */
export interface GroupRecord {
  readonly id: number;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

/** Groups and memberships persistence. */
export interface GroupRepository {
  /** Throws {@link StoreConflictError} if the name exists. */
  create(input: { name: string; properties?: Record<string, unknown> }): Promise<GroupRecord>;
  getByName(name: string): Promise<GroupRecord | null>;
  /** One page of groups (sorted by id) plus the total. */
  list(query: { offset: number; limit: number }): Promise<{ items: GroupRecord[]; total: number }>;
  setProperties(id: number, properties: Record<string, unknown>): Promise<void>;
  delete(id: number): Promise<boolean>;
  /** Adds members (already-members are ignored). */
  addMembers(groupId: number, userIds: readonly number[]): Promise<void>;
  removeMembers(groupId: number, userIds: readonly number[]): Promise<void>;
  /** Names of the members, sorted. */
  memberNames(groupId: number): Promise<string[]>;
  /** Names of the groups a user belongs to, sorted. */
  groupNamesOf(userId: number): Promise<string[]>;
  /**
   * {@link groupNamesOf} for many users at once (for user listings): every given id is a key of
   * the result (`[]` for users without groups or that do not exist), names sorted.
   */
  groupNamesOfUsers(userIds: readonly number[]): Promise<Map<number, string[]>>;
  /** Replaces a user's memberships with exactly these groups (creating missing groups). Used by OIDC later. */
  setUserGroups(userId: number, groupNames: readonly string[]): Promise<void>;
}

/** A user's server (default: name `""`), running or not. */
export interface ServerRecord {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  readonly displayName: string;
  readonly state: ServerState;
  /** Slug of the profile it was (last) started with. */
  readonly profile: string | null;
  /** `user_options` of the last start. */
  readonly userOptions: Record<string, unknown>;
  /** Spawner kind that holds `handle` (`local-process`, …). */
  readonly spawnerKind: string | null;
  /** Name of the backend that holds `handle` (`default`: the `spawner` section); null for rows from before backends: the default. */
  readonly backend: string | null;
  /** Backend handle (pid, pod name, job id…), JSON; null when not started. */
  readonly handle: Record<string, unknown> | null;
  /** Where the server listens, `proto://host:port` without a path; null until known. */
  readonly target: string | null;
  readonly started: Date | null;
  readonly lastActivity: Date | null;
  readonly stopReason: StopReason | null;
  /** Last failure or status message, shown to the user. */
  readonly message: string | null;
  readonly created: Date;
}

/** Fields of a server the lifecycle may change. */
export type ServerPatch = Partial<
  Pick<
    ServerRecord,
    'name' | 'displayName' | 'state' | 'profile' | 'userOptions' | 'spawnerKind' | 'backend' | 'handle' | 'target' | 'started' | 'lastActivity' | 'stopReason' | 'message'
  >
>;

/** Servers persistence. */
export interface ServerRepository {
  /**
   * Creates a stopped server (`displayName` defaults to `""`, `userOptions` to `{}`); throws
   * {@link StoreConflictError} if the user already has one of that name.
   */
  create(input: { userId: number; name: string; displayName?: string }): Promise<ServerRecord>;
  getById(id: number): Promise<ServerRecord | null>;
  get(userId: number, name: string): Promise<ServerRecord | null>;
  /** A user's servers, sorted by name. */
  listByUser(userId: number): Promise<ServerRecord[]>;
  /** Servers of many users at once (for user listings), sorted by user then name. */
  listByUsers(userIds: readonly number[]): Promise<ServerRecord[]>;
  /** Every server whose state is not `stopped`/`failed`, with its owner's name (used at start-up and by poll loops). */
  listActive(): Promise<(ServerRecord & { userName: string })[]>;
  /** Number of servers in `pending-start`, `running` or `pending-stop`. */
  countActive(): Promise<number>;
  update(id: number, patch: ServerPatch): Promise<ServerRecord | null>;
  /** Sets `lastActivity = max(lastActivity, at)`. */
  touchActivity(id: number, at: Date): Promise<void>;
  /** Deletes the server and the tokens whose `serverId` is it; its OAuth client stays, with `serverId` null. */
  delete(id: number): Promise<boolean>;
}

/** What a token is for. `api`: created through the API or the token page; `server`: a server's own token; `oauth`: issued to a browser via a server's OAuth client. */
export type TokenKind = 'api' | 'server' | 'oauth';

/** An API token. The token itself is never stored: only a SHA-256 hash and a short lookup prefix. */
export interface TokenRecord {
  /** Numeric id; the wire id is `a<id>`. */
  readonly id: number;
  readonly kind: TokenKind;
  /** Owner: exactly one of `userId` and `serviceName` is set. */
  readonly userId: number | null;
  readonly serviceName: string | null;
  /** First 4 characters of the token, for display and lookup. */
  readonly prefix: string;
  /** Hex SHA-256 of the token. */
  readonly hash: string;
  /** Raw scopes as granted (unexpanded); `[]` with `kind: 'api'` and no scopes means `inherit`. */
  readonly scopes: string[];
  readonly note: string;
  readonly created: Date;
  readonly lastActivity: Date | null;
  readonly expiresAt: Date | null;
  /** Browser session that obtained it (OAuth tokens); logout deletes them. */
  readonly sessionId: string | null;
  /** OAuth client the token was issued to (`jupyterhub` for API tokens). */
  readonly oauthClientId: string | null;
  /** Server the token belongs to (`server` tokens). */
  readonly serverId: number | null;
}

/** Tokens persistence. */
export interface TokenRepository {
  create(input: Omit<TokenRecord, 'id' | 'created' | 'lastActivity'> & { created?: Date }): Promise<TokenRecord>;
  getById(id: number): Promise<TokenRecord | null>;
  /** Lookup by hash; expired tokens are returned too (the caller decides). */
  findByHash(hash: string): Promise<TokenRecord | null>;
  /** A user's tokens, sorted by id. */
  listForUser(userId: number): Promise<TokenRecord[]>;
  /** A service's tokens, sorted by id. */
  listForService(serviceName: string): Promise<TokenRecord[]>;
  /** Sets `lastActivity = max(lastActivity, at)`. */
  touch(id: number, at: Date): Promise<void>;
  delete(id: number): Promise<boolean>;
  /** Deletes every token matching all given fields; returns how many. At least one field must be given (else it throws). */
  deleteWhere(match: { userId?: number; serviceName?: string; oauthClientId?: string; sessionId?: string; serverId?: number; kind?: TokenKind }): Promise<number>;
  /** Deletes tokens whose `expiresAt` is before `now`; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

/** An OAuth client (one per user server). */
export interface OAuthClientRecord {
  /** `jupyterhub-user-alice[-server]`. */
  readonly id: string;
  /** Hex SHA-256 of the secret (the server's API token). */
  readonly secretHash: string;
  readonly redirectUri: string;
  readonly description: string;
  readonly allowedScopes: string[];
  readonly serverId: number | null;
}

/** A pending authorization code (single use, short-lived). */
export interface OAuthCodeRecord {
  /** Hex SHA-256 of the code. */
  readonly codeHash: string;
  readonly clientId: string;
  readonly userId: number;
  readonly scopes: string[];
  readonly redirectUri: string;
  readonly sessionId: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
  readonly expiresAt: Date;
}

/** OAuth clients and codes persistence. */
export interface OAuthRepository {
  /** Inserts or replaces a client by id. */
  upsertClient(client: OAuthClientRecord): Promise<void>;
  getClient(id: string): Promise<OAuthClientRecord | null>;
  /** Deletes the client, its codes and (callers do this explicitly) nothing else. */
  deleteClient(id: string): Promise<boolean>;
  createCode(code: OAuthCodeRecord): Promise<void>;
  /** Atomically deletes and returns the code; a second call returns null. */
  consumeCode(codeHash: string): Promise<OAuthCodeRecord | null>;
  /** Deletes codes that expired before `now`. */
  purgeExpiredCodes(now: Date): Promise<number>;
}

/** A local account's credentials (the embedded default authenticator). */
export interface AccountRecord {
  readonly userName: string;
  /** PHC-style KDF string, e.g. `$scrypt$...`. */
  readonly passwordHash: string;
  readonly updated: Date;
}

/**
 * Local-account persistence. Accounts are keyed by user name, removed with the user and renamed
 * with it. An account may exist before (or without) a user of that name.
 */
export interface AccountRepository {
  get(userName: string): Promise<AccountRecord | null>;
  /** Creates or replaces the password hash. */
  set(userName: string, passwordHash: string): Promise<void>;
  delete(userName: string): Promise<boolean>;
  /** All account names, sorted. */
  listNames(): Promise<string[]>;
}

/** One server session in the compute-unit ledger: it accrues `pricePerHour` from `started` to `ended` (now while null). */
export interface UsageRecord {
  readonly id: number;
  readonly userId: number;
  /** The user's name when the session started. */
  readonly userName: string;
  /** Null for rows not tied to a server (imported or fixture rows). */
  readonly serverId: number | null;
  readonly serverName: string;
  /** The group the session is charged to, or null. */
  readonly groupName: string | null;
  /** Slug of the profile. */
  readonly profile: string;
  /** Compute units per hour, as the profile cost when the session started. */
  readonly pricePerHour: number;
  readonly started: Date;
  /** Null while the session runs. */
  readonly ended: Date | null;
  /** Why it ended (a stop reason, e.g. `user`, `died`, `error`); null while it runs. */
  readonly endReason: string | null;
}

/** Input of {@link UsageRepository.open}. */
export type UsageInput = Omit<UsageRecord, 'id' | 'ended' | 'endReason'> & { readonly ended?: Date | null; readonly endReason?: string | null };

/**
 * Ledger persistence. At most one session per server is open (`ended` null): opening one closes
 * the server's open session first. Rows are never deleted with their user or server.
 */
export interface UsageRepository {
  /** Records a session (open unless `ended` is given); an open session of the same server ends at `started` first. */
  open(input: UsageInput): Promise<UsageRecord>;
  /** Ends the server's open session at `ended`; returns how many rows changed (0 or 1). */
  closeServer(serverId: number, ended: Date, reason: string): Promise<number>;
  /**
   * Ends, at `ended`, every open session whose server no longer exists or is not active
   * (`stopped`/`failed`): sessions a crash left open. Returns how many.
   */
  closeStale(ended: Date, reason: string): Promise<number>;
  /**
   * Sessions that overlap `[from, to)` (started before `to`, not ended by `from`), optionally of
   * one user id, sorted by `started` then id.
   */
  list(query: { from: Date; to: Date; userId?: number }): Promise<UsageRecord[]>;
  /** The server's most recent session (latest `started`, then highest id), open or ended; null when it has none. */
  lastOfServer(serverId: number): Promise<UsageRecord | null>;
}

/** How to open a store. */
export type StoreOptions = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
