import { nameProblem } from '@clusterhub/shared';
import type { ServerRecord, Store, UserRecord } from '../store/store';
import { StoreConflictError } from '../store/store';
import { HubError } from '../errors';
import { ChangeGuardedCache } from './change-guarded-cache';
import type { ServerLifecycle } from './server-lifecycle';

/** A user with its groups and all its servers (stopped ones included), as the store holds them now. */
export interface UserSnapshot {
  readonly user: UserRecord;
  /** Group names, sorted. */
  readonly groups: readonly string[];
  readonly servers: readonly ServerRecord[];
}

/** Throws `invalid_name` (400) naming the problem when `name` cannot be a user name (shared/names.ts). */
export function checkUserName(name: string): void {
  const problem = nameProblem(name);
  if (problem) throw new HubError('invalid_name', `Invalid user name ${JSON.stringify(name)}: it ${problem}.`, { details: { name } });
}

/**
 * User use cases shared by the API, the pages and the CLI: create (validated names), rename,
 * delete (stopping servers first).
 */
export class UserService {
  /** Snapshots by user name, emptied on any store change; null when the store has no change signal. */
  private readonly snapshots: ChangeGuardedCache<UserSnapshot> | null;

  constructor(private readonly deps: { store: Store; lifecycle: ServerLifecycle | null }) {
    this.snapshots = deps.store.changes ? new ChangeGuardedCache(deps.store.changes) : null;
  }

  /**
   * The user named `name` with its groups and servers, or null when there is none. Repeated reads
   * are answered from memory until anything is written to the store (by this process or another),
   * so the answer is always what the store holds (the hot path of `GET /users/{name}`).
   */
  async snapshot(name: string): Promise<UserSnapshot | null> {
    const load = async (): Promise<UserSnapshot | null> => {
      const user = await this.deps.store.users.getByName(name);
      if (!user) return null;
      const groups = await this.deps.store.groups.groupNamesOf(user.id);
      // listByUsers: the order the user listing gives them.
      const servers = await this.deps.store.servers.listByUsers([user.id]);
      return { user, groups, servers };
    };
    return this.snapshots ? this.snapshots.through(name, load) : load();
  }

  /** Looks a user up or throws 404 `not_found`. */
  async get(name: string): Promise<UserRecord> {
    const user = await this.deps.store.users.getByName(name);
    if (!user) throw new HubError('not_found', `No such user: ${name}.`);
    return user;
  }

  /** Creates a user; `invalid_name` for a bad name, `conflict` if it exists. */
  async create(name: string, opts: { admin?: boolean } = {}): Promise<UserRecord> {
    checkUserName(name);
    try {
      return await this.deps.store.users.create({ name, admin: opts.admin ?? false });
    } catch (err) {
      if (err instanceof StoreConflictError) throw new HubError('conflict', `User ${name} already exists.`);
      throw err;
    }
  }

  /** Updates name and/or admin flag. */
  async update(user: UserRecord, patch: { name?: string; admin?: boolean }): Promise<UserRecord> {
    if (patch.name !== undefined) checkUserName(patch.name);
    if (patch.name !== undefined && patch.name !== user.name) {
      const servers = await this.deps.store.servers.listByUser(user.id);
      if (servers.some((s) => s.state !== 'stopped' && s.state !== 'failed')) {
        throw new HubError('bad_request', `Stop ${user.name}'s servers before renaming the user.`);
      }
    }
    try {
      const updated = await this.deps.store.users.update(user.id, patch);
      if (!updated) throw new HubError('not_found', `No such user: ${user.name}.`);
      return updated;
    } catch (err) {
      if (err instanceof StoreConflictError) throw new HubError('conflict', `User ${patch.name ?? ''} already exists.`);
      throw err;
    }
  }

  /** Stops every server of the user, then deletes the user and all it owns. */
  async delete(user: UserRecord): Promise<void> {
    if (this.deps.lifecycle) {
      for (const server of await this.deps.store.servers.listByUser(user.id)) {
        await this.deps.lifecycle.stop(user, server, 'admin');
      }
    }
    await this.deps.store.users.delete(user.id);
  }
}
