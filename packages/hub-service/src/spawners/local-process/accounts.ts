/**
 * Which Unix account a local server runs as. When the hub runs as root, every hub user's server
 * runs as that user's own account (looked up through NSS with `getent`, so LDAP/SSSD accounts work;
 * created with `useradd` only when the config allows it); root and system accounts are refused.
 * When the hub runs as an ordinary user it cannot switch users, so every server runs as that one
 * person ("single-person mode").
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import { promisify } from 'node:util';
import { unixAccountName } from './account-name';

const run = promisify(execFile);

/** How hub users map onto Unix accounts; plain data, so it can be handed to another process. */
export type AccountPolicy =
  | {
      /** The hub runs as root: each user runs as their own account. */
      readonly mode: 'per-user';
      /** Account name template with `{username}` (see {@link unixAccountName}). */
      readonly template: string;
      /** Create a missing account with `useradd` (`spawner.createSystemUsers`). */
      readonly create: boolean;
      /** Lowest uid a server may run as (`spawner.minUid`); root and system accounts stay refused. */
      readonly minUid: number;
    }
  | {
      /** The hub is not root: every server runs as the hub's own account. */
      readonly mode: 'single-person';
    };

/** The account a server runs as. */
export interface RunAsAccount {
  /** Account name (the server's `USER`). */
  readonly name: string;
  readonly uid: number;
  /** Primary group. */
  readonly gid: number;
  /** Home folder (the server's `HOME`). */
  readonly home: string;
  /** True when the launch must switch to this account (the hub is root). */
  readonly switchUser: boolean;
}

/** A refusal to run a server for a user, with a message that names the setting to change. */
export class AccountError extends Error {
  override readonly name = 'AccountError';
}

/** Parses one `getent passwd` line; null when malformed. */
export function parsePasswdLine(line: string): Omit<RunAsAccount, 'switchUser'> | null {
  const fields = line.trim().split(':');
  if (fields.length < 7) return null;
  const [name, , uid, gid, , home] = fields;
  if (!name || !home || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) return null;
  return { name, uid: Number(uid), gid: Number(gid), home };
}

/** Looks an account up through NSS; null when there is none. */
async function getentPasswd(name: string): Promise<Omit<RunAsAccount, 'switchUser'> | null> {
  try {
    const { stdout } = await run('getent', ['passwd', name], { timeout: 15_000 });
    return parsePasswdLine(stdout.split('\n')[0] ?? '');
  } catch (error: unknown) {
    // getent exits 2 when the key is not found.
    if ((error as { code?: unknown }).code === 2) return null;
    throw error;
  }
}

/** Account creations in flight, so two starts for one user do not race `useradd`. */
const creating = new Map<string, Promise<void>>();

async function createAccount(name: string): Promise<void> {
  const pending = creating.get(name);
  if (pending) return pending;
  const job = (async () => {
    if (await getentPasswd(name)) return;
    try {
      await run('useradd', ['--create-home', '--user-group', '--shell', '/bin/bash', '--comment', 'clusterhub user', name], { timeout: 30_000 });
    } catch (error: unknown) {
      // Another process (a second hub, a parallel test) may have created it meanwhile.
      if (await getentPasswd(name)) return;
      throw error;
    }
    const created = await getentPasswd(name);
    // Home folders are private whatever HOME_MODE the system's login.defs has.
    if (created) await run('chmod', ['0700', created.home], { timeout: 15_000 });
  })();
  creating.set(name, job);
  try {
    await job;
  } finally {
    creating.delete(name);
  }
}

/**
 * The account hub user `hubName` runs as under `policy`.
 *
 * @throws AccountError when there is no such account and creating it is not allowed, when the
 *   account is root or below `minUid`, or when the name cannot be mapped; the message names the
 *   config key to change.
 */
export async function resolveAccount(policy: AccountPolicy, hubName: string): Promise<RunAsAccount> {
  if (policy.mode === 'single-person') {
    const me = os.userInfo();
    if (me.uid === 0) throw new AccountError('Refusing to run a user server as root.');
    return { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir, switchUser: false };
  }
  let name: string;
  try {
    name = unixAccountName(policy.template, hubName);
  } catch (error: unknown) {
    throw new AccountError(`${error instanceof Error ? error.message : String(error)} (spawner.systemUserTemplate)`);
  }
  let account = await getentPasswd(name);
  if (!account) {
    if (!policy.create) {
      throw new AccountError(
        `Hub user ${JSON.stringify(hubName)} has no Unix account ${JSON.stringify(name)} on this machine. ` +
          'Create it, or set spawner.createSystemUsers: true to let the hub create accounts.',
      );
    }
    try {
      await createAccount(name);
    } catch (error: unknown) {
      throw new AccountError(`Could not create the Unix account ${JSON.stringify(name)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    account = await getentPasswd(name);
    if (!account) throw new AccountError(`The Unix account ${JSON.stringify(name)} was created but cannot be looked up.`);
  }
  if (account.uid === 0 || account.gid === 0) throw new AccountError(`Refusing to run a user server as root (account ${JSON.stringify(name)}).`);
  if (account.uid < policy.minUid) {
    throw new AccountError(
      `Refusing to run a user server as the system account ${JSON.stringify(name)} (uid ${account.uid} is below spawner.minUid ${policy.minUid}).`,
    );
  }
  return { ...account, switchUser: true };
}

/** The policy for a hub running with uid `uid`, from the `spawner` config keys. */
export function accountPolicyFor(uid: number, config: { readonly systemUserTemplate: string; readonly createSystemUsers: boolean; readonly minUid: number }): AccountPolicy {
  if (uid !== 0) return { mode: 'single-person' };
  return { mode: 'per-user', template: config.systemUserTemplate, create: config.createSystemUsers, minUid: config.minUid };
}

/**
 * The one start-up line for a hub that cannot switch users (not root): every server runs as the
 * hub's own account, so this mode is for one person. Null when the hub runs as root.
 */
export function singlePersonNotice(uid: number, account: string): string | null {
  if (uid === 0) return null;
  return `Single-person mode: the hub runs as "${account}" (not root), so every user server runs as "${account}" and can read the hub's data; use it only for yourself.`;
}
