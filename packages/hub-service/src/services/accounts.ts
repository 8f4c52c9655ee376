import { isValidUserName } from '@clusterhub/shared';
import type { Store } from '../store/store';
import { generatePassword, hashPassword, MAX_PASSWORD_LENGTH } from '../authenticators/local/password';
import { HubError } from '../errors';

/** Shortest password accepted for a local account. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Local accounts (the embedded default's users): a hub user plus a password hash. Used by the CLI
 * (`clusterhub user …`) and at first start to create the initial admin.
 */
export class AccountService {
  constructor(private readonly store: Store) {}

  /** Creates a user with a password (generated when not given); returns the password. */
  async add(name: string, opts: { admin?: boolean; password?: string } = {}): Promise<string> {
    if (!isValidUserName(name)) throw new HubError('invalid_name', `Invalid user name: ${JSON.stringify(name)}.`);
    const password = opts.password ?? generatePassword();
    checkPassword(password);
    const hash = await hashPassword(password);
    await this.store.transaction(async (tx) => {
      if (await tx.users.getByName(name)) throw new HubError('conflict', `User ${name} already exists.`);
      await tx.users.create({ name, admin: opts.admin ?? false });
      await tx.accounts.set(name, hash);
    });
    return password;
  }

  /** Sets a new password (generated when not given) for an existing user; returns it. */
  async setPassword(name: string, password?: string): Promise<string> {
    if (!(await this.store.users.getByName(name))) throw new HubError('not_found', `No such user: ${name}.`);
    const value = password ?? generatePassword();
    checkPassword(value);
    await this.store.accounts.set(name, await hashPassword(value));
    return value;
  }

  /** Deletes a user and its account. */
  async remove(name: string): Promise<void> {
    const user = await this.store.users.getByName(name);
    if (!user) throw new HubError('not_found', `No such user: ${name}.`);
    await this.store.users.delete(user.id);
  }

  /** On a hub with no users at all, creates the initial admin with a random password and returns it (shown once). */
  async ensureInitialAdmin(name: string): Promise<{ name: string; password: string } | null> {
    if ((await this.store.users.count()) > 0) return null;
    return { name, password: await this.add(name, { admin: true }) };
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new HubError('validation_failed', `Passwords need at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new HubError('validation_failed', `Passwords may have at most ${MAX_PASSWORD_LENGTH} characters.`);
}
