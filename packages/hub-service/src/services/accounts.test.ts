import { openStore } from '../store/open';
import type { Store } from '../store/store';
import { verifyPassword } from '../authenticators/local/password';
import { HubError } from '../errors';
import { AccountService, MIN_PASSWORD_LENGTH } from './accounts';

let store: Store;
let accounts: AccountService;

async function hubError(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a HubError');
}

async function passwordOk(name: string, password: string): Promise<boolean> {
  const account = await store.accounts.get(name);
  return account !== null && verifyPassword(password, account.passwordHash);
}

beforeEach(async () => {
  store = await openStore({ kind: 'sqlite', path: ':memory:' });
  accounts = new AccountService(store);
});

afterEach(async () => {
  await store.close();
});

describe('AccountService', () => {
  it('add: creates the user and its password hash, returns the password', async () => {
    await expect(accounts.add('bob', { password: 'correct horse' })).resolves.toBe('correct horse');
    expect(await store.users.getByName('bob')).toMatchObject({ name: 'bob', admin: false });
    expect(await passwordOk('bob', 'correct horse')).toBe(true);
    expect(await passwordOk('bob', 'wrong horse')).toBe(false);
  });

  it('add: generates a password when none is given; admin flag kept', async () => {
    const password = await accounts.add('carol', { admin: true });
    expect(password.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
    expect((await store.users.getByName('carol'))?.admin).toBe(true);
    expect(await passwordOk('carol', password)).toBe(true);
  });

  it('add: a duplicate is a conflict and changes nothing', async () => {
    await accounts.add('bob', { password: 'first password' });
    const err = await hubError(accounts.add('bob', { password: 'second password', admin: true }));
    expect(err.code).toBe('conflict');
    expect(err.message).toContain('already exists');
    expect(await store.users.count()).toBe(1);
    expect((await store.users.getByName('bob'))?.admin).toBe(false);
    expect(await passwordOk('bob', 'first password')).toBe(true);
  });

  it('add: a short password is refused and nothing is created', async () => {
    const err = await hubError(accounts.add('bob', { password: 'x'.repeat(MIN_PASSWORD_LENGTH - 1) }));
    expect(err.code).toBe('validation_failed');
    expect(await store.users.getByName('bob')).toBeNull();
    expect(await store.accounts.get('bob')).toBeNull();
  });

  it('add: an invalid name is refused (names follow JupyterHub: no /, no dots-only, no edge spaces, no control characters)', async () => {
    for (const name of ['a/b', '..', ' padded', 'nul\u0000']) {
      expect((await hubError(accounts.add(name, { password: 'long enough' }))).code).toBe('invalid_name');
    }
    expect(await accounts.add('inner spaces allowed', { password: 'long enough' })).toBeTruthy();
  });

  it('setPassword: replaces the password; generated when none is given', async () => {
    await accounts.add('bob', { password: 'first password' });
    await accounts.setPassword('bob', 'second password');
    expect(await passwordOk('bob', 'first password')).toBe(false);
    expect(await passwordOk('bob', 'second password')).toBe(true);
    const generated = await accounts.setPassword('bob');
    expect(await passwordOk('bob', generated)).toBe(true);
  });

  it('setPassword: unknown user is not_found; short password refused', async () => {
    expect((await hubError(accounts.setPassword('ghost', 'long enough'))).code).toBe('not_found');
    await accounts.add('bob', { password: 'first password' });
    expect((await hubError(accounts.setPassword('bob', 'short'))).code).toBe('validation_failed');
    expect(await passwordOk('bob', 'first password')).toBe(true);
  });

  it('remove: deletes the user and the account; unknown is not_found', async () => {
    await accounts.add('bob', { password: 'first password' });
    await accounts.remove('bob');
    expect(await store.users.getByName('bob')).toBeNull();
    expect(await store.accounts.get('bob')).toBeNull();
    expect((await hubError(accounts.remove('bob'))).code).toBe('not_found');
  });

  it('ensureInitialAdmin: creates an admin only on a hub without users', async () => {
    const first = await accounts.ensureInitialAdmin('admin');
    expect(first?.name).toBe('admin');
    expect((await store.users.getByName('admin'))?.admin).toBe(true);
    expect(await passwordOk('admin', first?.password ?? '')).toBe(true);
    expect(await accounts.ensureInitialAdmin('admin')).toBeNull();
  });

  it('ensureInitialAdmin: does nothing when some other user exists', async () => {
    await store.users.create({ name: 'alice' });
    expect(await accounts.ensureInitialAdmin('admin')).toBeNull();
    expect(await store.users.getByName('admin')).toBeNull();
  });
});
